// The material page's PDF, drawn inside the page with pdf.js (static/vendor/pdfjs, the legacy
// build), one canvas per page as the member scrolls near it. Reading the PDF is scrolling this
// page, so study.js sees the activity and counts the minutes as for an article. Pages far from
// the screen give their canvas back (a phone cannot hold a hundred pages of pixels). When the
// PDF cannot be drawn, the page says so in Chinese and the download link below stays.
const root = document.getElementById("pdf-viewer");

// Pages drawn this far above and below the screen, and let go beyond the second margin.
const DRAW_MARGIN = "150% 0px";
const KEEP_MARGIN = "400% 0px";
// Pixels per CSS pixel at most: sharp on most phones without a canvas too large to allocate.
const MAX_PIXEL_RATIO = 2;
const FAILED = "文档无法在本页显示，请点击下方“下载PDF”阅读（下载后阅读不计学习时长）。";

function fail(status, message) {
  status.textContent = message || FAILED;
  status.classList.add("notice", "notice-error");
  root.setAttribute("data-state", "failed");
}

function pixelRatio() {
  return Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO);
}

// One page of the document: its box (kept at the page's shape while empty) and its canvas.
function makeSlot(number, count, ratio) {
  const box = document.createElement("div");
  box.className = "pdf-page";
  box.setAttribute("data-page", String(number));
  box.style.aspectRatio = ratio;
  const label = document.createElement("span");
  label.className = "pdf-page-no";
  label.textContent = number + " / " + count;
  box.appendChild(label);
  return { number: number, box: box, canvas: null, task: null, near: false };
}

async function start() {
  const status = document.getElementById("pdf-status");
  const pages = document.getElementById("pdf-pages");
  let lib;
  let doc;
  try {
    lib = await import(root.getAttribute("data-lib-url"));
    lib.GlobalWorkerOptions.workerSrc = root.getAttribute("data-worker-url");
    doc = await lib.getDocument({
      url: root.getAttribute("data-pdf-url"),
      cMapUrl: root.getAttribute("data-cmap-url"),
      cMapPacked: true,
      isEvalSupported: false, // the pages' policy allows no eval
      disableAutoFetch: true, // on 4G fetch only the parts of the file the pages shown need
      disableStream: true,
    }).promise;
  } catch (error) {
    fail(status);
    return;
  }
  const first = await doc.getPage(1).catch(() => null);
  if (!first) {
    fail(status);
    return;
  }
  const shape = first.getViewport({ scale: 1 });
  const slots = [];
  for (let number = 1; number <= doc.numPages; number += 1) {
    const slot = makeSlot(number, doc.numPages, shape.width + " / " + shape.height);
    slots.push(slot);
    pages.appendChild(slot.box);
  }
  status.textContent = "共 " + doc.numPages + " 页，向下滑动阅读";
  root.setAttribute("data-pages", String(doc.numPages));
  root.setAttribute("data-state", "ready");
  let broken = false;

  async function draw(slot) {
    if (slot.canvas || slot.task) return;
    try {
      const page = await doc.getPage(slot.number);
      if (!slot.near) return; // scrolled away while the page was fetched
      const natural = page.getViewport({ scale: 1 });
      const scale = (pages.clientWidth / natural.width) * pixelRatio();
      const viewport = page.getViewport({ scale: scale });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "第 " + slot.number + " 页");
      slot.box.style.aspectRatio = natural.width + " / " + natural.height;
      slot.task = page.render({ canvasContext: canvas.getContext("2d"), viewport: viewport });
      await slot.task.promise;
      slot.task = null;
      slot.canvas = canvas;
      slot.box.insertBefore(canvas, slot.box.firstChild);
      slot.box.setAttribute("data-drawn", "");
    } catch (error) {
      slot.task = null;
      if (error && error.name === "RenderingCancelledException") return;
      if (!broken) {
        broken = true;
        fail(status, "第 " + slot.number + " 页无法显示。" + FAILED);
      }
    }
  }

  function release(slot) {
    if (slot.task) slot.task.cancel();
    if (!slot.canvas) return;
    slot.canvas.width = 0; // hands the pixels back at once, before the element is collected
    slot.canvas.height = 0;
    slot.canvas.remove();
    slot.canvas = null;
    slot.box.removeAttribute("data-drawn");
  }

  const byBox = new Map(slots.map((slot) => [slot.box, slot]));
  const drawer = new IntersectionObserver(
    (entries) => {
      entries.forEach((entry) => {
        const slot = byBox.get(entry.target);
        slot.near = entry.isIntersecting;
        if (slot.near) draw(slot);
      });
    },
    { rootMargin: DRAW_MARGIN },
  );
  const keeper = new IntersectionObserver(
    (entries) => {
      entries.forEach((entry) => {
        if (!entry.isIntersecting) release(byBox.get(entry.target));
      });
    },
    { rootMargin: KEEP_MARGIN },
  );
  slots.forEach((slot) => {
    drawer.observe(slot.box);
    keeper.observe(slot.box);
  });
}

if (root) start();
