// Quick replies: a button holding a clinician's saved words appends them to the reply.
// A file (not inline) because the Content-Security-Policy allows scripts from 'self' only.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const field = document.getElementById(button.dataset.insertInto);
  if (!field) return;
  const words = button.dataset.insert;
  field.value = field.value.trim() ? `${field.value.trimEnd()}\n\n${words}` : words;
  field.focus();
});
