"""`paperfeed deploy`: the built site to an S3-compatible bucket, uploading only what changed.

Builds are reproducible, so a file whose bytes are the same as the deployed one needs no
upload: `plan` decides from hashes what to upload and delete (pure), `headers` the
Content-Type and Cache-Control of each file, `s3` talks to the store, and `run` puts
them together in the order that keeps the site whole while it is replaced.
"""
