// paperfeed: copy buttons. A button with data-pf-copy="SELECTOR" copies the text of
// that element in its own section (the Cite box's BibTeX) and says so. A selector,
// not an id: Material's code-block script rewrites the ids of <pre> elements.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-pf-copy]");
  if (!button) return;
  const source = button.parentElement.querySelector(button.dataset.pfCopy);
  if (!source) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select the text to copy";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
});
