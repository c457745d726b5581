// Text with a limit: every <textarea maxlength> (the number comes from the server: a form's Length validator, or
// the API's limit) shows how many characters it holds, and a text over the limit is refused here, before it is sent.
//
// Without this script the browser's maxlength stops typing at the limit (and cuts a longer paste short, silently).
// With it, the text is kept whole and marked as too long until it is shortened: the form does not send it, and the
// message says by how much. Characters are counted as the server counts them (a line break is one; see
// inspect_app/core/requests.py). Other scripts call window.InspectTextLimit.check(field) after filling a field.

(() => {
  const texts = JSON.parse(document.getElementById("form-texts")?.textContent || "{}");
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const fill = (template, values) =>
    (template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? number.format(values[name]) : whole));
  const characters = (text) => [...text.replace(/\r\n?/g, "\n")].length;
  const parts = new WeakMap(); // field -> {counter, message}

  function enhance(field) {
    const max = Number(field.getAttribute("maxlength"));
    if (!max || parts.has(field)) return;
    field.dataset.maxlength = String(max);
    field.removeAttribute("maxlength");
    const id = field.id || `text-${Math.random().toString(36).slice(2)}`;
    field.id = id;
    const counter = Object.assign(document.createElement("p"), { id: `${id}-count`, className: "text-count" });
    // An alert, so a screen reader says it once when the text goes over the limit, not at every key.
    const message = Object.assign(document.createElement("p"), { id: `${id}-too-long`, className: "field-error" });
    message.setAttribute("role", "alert");
    message.hidden = true;
    field.after(counter, message);
    const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    field.setAttribute("aria-describedby", [...described, counter.id, message.id].join(" "));
    parts.set(field, { counter, message, markedHere: false });
    field.addEventListener("input", () => check(field));
    check(field);
  }

  // Count again; true when the text is over its limit.
  function check(field) {
    const own = parts.get(field);
    if (!own) return false;
    const max = Number(field.dataset.maxlength);
    const count = characters(field.value);
    const over = count - max;
    own.counter.textContent = fill(texts.counter, { count, max });
    own.counter.dataset.state = over > 0 ? "over" : count > max * 0.9 ? "near" : "ok";
    const problem = over > 0 ? fill(texts.tooLong, { over, max }) : "";
    if (own.message.textContent !== problem) own.message.textContent = problem;
    own.message.hidden = !problem;
    // Marked invalid while too long; unmarked after only if marked here (the server may have marked it too).
    if (problem && field.getAttribute("aria-invalid") !== "true") {
      field.setAttribute("aria-invalid", "true");
      own.markedHere = true;
    } else if (!problem && own.markedHere) {
      field.removeAttribute("aria-invalid");
      own.markedHere = false;
    }
    field.closest(".field")?.classList.toggle("too-long", over > 0);
    return over > 0;
  }

  function enhanceAll(root = document) {
    for (const field of root.querySelectorAll("textarea[maxlength]")) enhance(field);
  }

  // Before any other handler of the form (the capture phase at the document): a form holding a text over its limit
  // is not sent, and the first such field gets the focus with its message.
  document.addEventListener(
    "submit",
    (event) => {
      const tooLong = [...event.target.querySelectorAll("textarea[data-maxlength]")].filter((field) => check(field));
      if (!tooLong.length) return;
      event.preventDefault();
      event.stopPropagation();
      tooLong[0].focus();
      tooLong[0].scrollIntoView({ block: "center" });
    },
    true,
  );

  window.InspectTextLimit = { check, enhanceAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll());
  else enhanceAll();
})();
