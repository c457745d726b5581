// A <select data-searchable> becomes a box to type in with the matching choices listed below it (an ARIA 1.2
// combobox). The <select> stays in the form, hidden, and keeps the chosen value: without this script it is an
// ordinary list, and the server checks the choice either way.
//
// Typing filters by every word, ignoring case and Vietnamese diacritics ("nam sach" finds "Huyện Nam Sách").
// Tapping the box lists every choice, so a finger can scroll and tap without typing.
// Texts come from the page: the placeholder is the empty choice's label; data-no-match and data-matches
// ("{count}" is replaced) are said in a polite live region.

(() => {
  const fold = (text) =>
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .trim();

  let counter = 0;

  function enhance(select) {
    const id = select.id || `searchable-${(counter += 1)}`;
    select.id = id;
    const choices = [...select.options]
      .filter((option) => option.value !== "")
      .map((option) => ({ option, folded: fold(option.textContent) }));
    const empty = [...select.options].find((option) => option.value === "");

    const box = document.createElement("input");
    Object.assign(box, { type: "text", id: `${id}-search`, autocomplete: "off", spellcheck: false });
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", `${id}-choices`);
    if (empty) box.placeholder = empty.textContent;
    for (const name of ["aria-invalid", "aria-describedby", "required", "autofocus"]) {
      if (select.hasAttribute(name)) box.setAttribute(name, select.getAttribute(name));
    }
    const list = document.createElement("ul");
    list.id = `${id}-choices`;
    list.className = "combo-choices";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    const wrapper = document.createElement("div");
    wrapper.className = "combo";
    select.before(wrapper);
    wrapper.append(box, list, status, select);
    select.hidden = true;
    select.tabIndex = -1;
    const label = document.querySelector(`label[for="${id}"]`);
    if (label) {
      label.htmlFor = box.id;
      label.id ||= `${id}-label`;
      list.setAttribute("aria-labelledby", label.id); // the list is named as the field is
    }

    let shown = [];
    let active = -1;
    const chosenText = () => (select.value ? select.selectedOptions[0].textContent : "");
    box.value = chosenText();

    function render() {
      list.replaceChildren(
        ...shown.map(({ option }, index) => {
          const item = document.createElement("li");
          item.id = `${id}-choice-${index}`;
          item.className = "combo-choice";
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", String(option.value === select.value));
          if (index === active) item.classList.add("active");
          item.textContent = option.textContent;
          // Keep the focus in the box, so the tap is not lost to a blur that closes the list first.
          item.addEventListener("pointerdown", (event) => event.preventDefault());
          item.addEventListener("click", () => choose(option));
          return item;
        }),
      );
      if (active >= 0) {
        box.setAttribute("aria-activedescendant", `${id}-choice-${active}`);
        list.children[active]?.scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function open(filter) {
      const words = fold(filter).split(/\s+/).filter(Boolean);
      shown = choices.filter(({ folded }) => words.every((word) => folded.includes(word)));
      active = shown.length && words.length ? 0 : -1;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      render();
      const count = shown.length;
      if (!count) list.replaceChildren(Object.assign(document.createElement("li"), {
        className: "combo-none",
        textContent: select.dataset.noMatch || "",
      }));
      status.textContent = count ? (select.dataset.matches || "").replace("{count}", count) : select.dataset.noMatch || "";
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(option) {
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      box.value = option.textContent;
      close();
    }

    box.addEventListener("focus", () => open(""));
    box.addEventListener("click", () => list.hidden && open(""));
    box.addEventListener("input", () => open(box.value));
    box.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) open(box.value === chosenText() ? "" : box.value);
        const step = event.key === "ArrowDown" ? 1 : -1;
        if (shown.length) active = (active + step + shown.length) % shown.length;
        render();
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault(); // choosing is not sending the form
        if (shown[active]) choose(shown[active].option);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        box.value = chosenText();
        close();
      }
    });
    // Leaving the box: an emptied box clears the choice; a name typed in full chooses it; anything else goes back
    // to what was chosen, so what the box shows is always what will be sent.
    box.addEventListener("blur", () => {
      const typed = fold(box.value);
      const exact = choices.find(({ folded }) => folded === typed);
      if (!typed) {
        if (select.value) {
          select.value = "";
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      } else if (exact && exact.option.value !== select.value) {
        choose(exact.option);
      }
      box.value = chosenText();
      close();
    });
  }

  for (const select of document.querySelectorAll("select[data-searchable]:not([multiple])")) enhance(select);
})();
