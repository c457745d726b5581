// Ask before a destructive form is sent: <form data-confirm="Question?">. A file, not inline handlers, so that
// the Content-Security-Policy can refuse every inline script.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
