// Reports an image in place; without this script the same button posts the form and a page says thanks.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.report-image");
  if (!button || !button.form) return;
  event.preventDefault();
  button.disabled = true;
  let lines;
  try {
    const answer = await fetch(button.formAction, {
      method: "POST",
      body: new FormData(button.form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    lines = (await answer.json()).lines;
  } catch (error) {
    button.disabled = false;
    button.form.requestSubmit(button); // let the page without script do it
    return;
  }
  const status = document.createElement("div");
  status.className = "report-thanks";
  status.setAttribute("role", "status");
  status.lang = button.lang; // the site's language, inside an article that may be in another
  for (const line of lines) {
    const paragraph = document.createElement("p");
    paragraph.textContent = line;
    status.append(paragraph);
  }
  button.replaceWith(status);
});
