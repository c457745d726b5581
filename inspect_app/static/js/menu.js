// The header on a phone: the navigation and the account links fold behind the Menu button, so the header keeps to
// one row (the CSS decides from the width; templates/base.html). Escape closes the menu and gives the focus back.

(() => {
  const header = document.querySelector(".topbar");
  const toggle = header?.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
    setOpen(false);
    toggle.focus();
  });
  header.classList.add("menu-ready");
})();
