// paperfeed: copy buttons. A button with data-pf-copy="#id" copies that element's
// text (the Cite box's BibTeX) and says so; nothing else runs on the page.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-pf-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.pfCopy);
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
