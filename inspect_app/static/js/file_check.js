// Evidence files are checked when they are chosen, not after a long upload: the server keeps only JPEG and PNG
// photos and PDF documents, judged by their content (inspect_app/evidence/storage.py), so a file whose first bytes
// are none of those is taken out of the field at once, with a message beside it that stays until the user chooses
// again or closes it. The server still checks every file.
//
// Applies to file fields that accept only images and PDFs (image/*, image/jpeg, image/png, application/pdf). The
// on-site screen (.onsite) prepares its photos itself (static/js/onsite.js) and says there what it cannot read.

(() => {
  const texts = JSON.parse(document.getElementById("form-texts")?.textContent || "{}");
  const SIGNATURES = {
    jpeg: [0xff, 0xd8, 0xff],
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pdf: [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  };
  const KINDS = {
    "image/*": ["jpeg", "png"],
    "image/jpeg": ["jpeg"],
    "image/png": ["png"],
    "application/pdf": ["pdf"],
  };

  function allowedKinds(input) {
    const accepted = (input.accept || "").split(",").map((token) => token.trim().toLowerCase()).filter(Boolean);
    if (!accepted.length || accepted.some((token) => !(token in KINDS))) return null; // not an evidence field
    return new Set(accepted.flatMap((token) => KINDS[token]));
  }

  async function kindOf(file) {
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    return Object.keys(SIGNATURES).find((kind) => SIGNATURES[kind].every((byte, i) => head[i] === byte)) || null;
  }

  function problemNode(input) {
    const id = `${input.id || input.name}-file-problem`;
    let node = document.getElementById(id);
    if (!node) {
      node = Object.assign(document.createElement("div"), { id, className: "file-problem" });
      node.setAttribute("role", "alert");
      node.hidden = true;
      input.after(node);
      const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      input.setAttribute("aria-describedby", [...described, id].join(" "));
    }
    return node;
  }

  function clear(input) {
    const node = document.getElementById(`${input.id || input.name}-file-problem`);
    if (node) {
      node.hidden = true;
      node.replaceChildren();
    }
  }

  function show(input, messages) {
    const node = problemNode(input);
    const close = Object.assign(document.createElement("button"), {
      type: "button",
      className: "button secondary",
      textContent: texts.close || "×",
    });
    close.addEventListener("click", () => {
      clear(input);
      input.focus();
    });
    node.replaceChildren(...messages.map((text) => Object.assign(document.createElement("p"), { textContent: text })), close);
    node.hidden = false;
  }

  async function check(input) {
    const allowed = allowedKinds(input);
    if (!allowed) return;
    clear(input);
    const files = [...input.files];
    const refused = [];
    for (const file of files) if (!allowed.has(await kindOf(file))) refused.push(file);
    if (!refused.length) return;
    // A field's files cannot be taken out one by one: keep those that pass, where the browser allows it.
    const kept = files.filter((file) => !refused.includes(file));
    try {
      const transfer = new DataTransfer();
      for (const file of kept) transfer.items.add(file);
      input.files = transfer.files;
    } catch {
      input.value = "";
    }
    const template = allowed.has("pdf") ? texts.notAPhotoOrPdf : texts.notAPhoto;
    show(
      input,
      refused.map((file) => (template || "").replace("{name}", file.name)),
    );
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || input.closest(".onsite")) return;
    check(input);
  });
})();
