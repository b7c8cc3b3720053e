/*
 * Filmoteca web page: one form per API question, the answer shown as a readable card plus
 * the raw JSON, 404 suggestions as links that ask again, 422 shown as an input error, and
 * title inputs that autocomplete from /buscar. Plain JavaScript, no build step, no CDN.
 * Every URL is relative to the page, so the page also works behind a path prefix.
 * User data is only ever inserted with textContent (never innerHTML).
 */
"use strict";

(function () {
  const enc = encodeURIComponent;

  // ------------------------------------------------------------------ formatting (es)

  // Spanish numbers, as the API's `mensaje` writes them (filmoteca/formatting.py): "." groups
  // thousands, also in 4-digit numbers ("2.220", hence useGrouping "always"), "," decimals,
  // and no "-0". One Intl.NumberFormat per number of decimals, made on first use.
  const numberFormats = new Map();

  /** 1234567.5 -> "1.234.567,5". */
  function fmtNumber(value, decimals = 0) {
    if (value === null || value === undefined || Number.isNaN(Number(value))) return "—";
    let format = numberFormats.get(decimals);
    if (!format) {
      format = new Intl.NumberFormat("es-ES", {
        useGrouping: "always", signDisplay: "negative",
        minimumFractionDigits: decimals, maximumFractionDigits: decimals,
      });
      numberFormats.set(decimals, format);
    }
    return format.format(Number(value));
  }
  const fmtMoney = (v) => (v ? `US$ ${fmtNumber(Math.round(v))}` : "US$ 0");
  const fmtRatio = (v) => fmtNumber(v, 2);

  // ------------------------------------------------------------------ DOM helpers

  /** el("p", {class: "x"}, "text", child) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const stat = (label, value) =>
    el("div", { class: "stat" }, el("span", { class: "stat-value" }, value),
      el("span", { class: "stat-label" }, label));

  function linkButton(text, onclick, extraClass) {
    return el("button", { type: "button", class: `link ${extraClass || ""}`.trim(), onclick }, text);
  }

  // ------------------------------------------------------------------ questions

  const yearQuery = (anio) => (anio ? `?anio=${enc(anio)}` : "");

  /**
   * Each question: the form field holding the name, how to build the URL, and how to draw
   * a successful answer. `year` is the optional year field (titles).
   */
  const QUESTIONS = {
    buscar: {
      field: "q", what: "un texto para buscar",
      url: (v) => `buscar?q=${enc(v.q)}&limite=10&pagina=${enc(v.pagina || 1)}`,
      render: renderSearch,
    },
    descripcion: {
      field: "q", what: "una descripción del argumento",
      url: (v) => `buscar_descripcion?q=${enc(v.q)}&limite=10`,
      render: renderDescription,
    },
    idioma: {
      field: "idioma", what: "un idioma",
      url: (v) => `peliculas_idioma/${enc(v.idioma)}`,
      render: (b) => [
        el("div", { class: "stats" },
          stat("películas", fmtNumber(b.cantidad)),
          stat("idioma", `${b.nombre} (${b.idioma})`)),
      ],
      suggestion: "code",
    },
    duracion: {
      field: "pelicula", year: "anio", what: "un título",
      url: (v) => `peliculas_duracion/${enc(v.pelicula)}${yearQuery(v.anio)}`,
      render: (b, ctx) => [
        interpretation(b.interpretacion),
        el("h3", { class: "film-title" }, `${b.titulo} `, el("span", { class: "year" }, `(${b.anio})`)),
        el("div", { class: "stats" },
          stat("duración", b.duracion_min === null || b.duracion_min === undefined
            ? "desconocida" : `${fmtNumber(b.duracion_min)} min`),
          stat("año", String(b.anio)),
          b.fecha_lanzamiento ? stat("estreno", b.fecha_lanzamiento) : null),
        otherMatches(b.otras_coincidencias, ctx),
      ],
    },
    franquicia: {
      field: "franquicia", what: "una franquicia",
      url: (v) => `franquicia/${enc(v.franquicia)}`,
      render: (b) => [
        el("h3", { class: "film-title" }, b.franquicia),
        el("div", { class: "stats" },
          stat("películas", fmtNumber(b.cantidad)),
          stat("ganancia total", fmtMoney(b.ganancia_total)),
          stat("ganancia promedio", fmtMoney(b.ganancia_promedio))),
      ],
    },
    pais: {
      field: "pais", what: "un país",
      url: (v) => `peliculas_pais/${enc(v.pais)}`,
      render: (b) => [
        el("div", { class: "stats" },
          stat("películas", fmtNumber(b.cantidad)),
          stat("país", `${b.pais} (${b.codigo})`)),
      ],
      suggestion: "code",
    },
    productora: {
      field: "productora", what: "una productora",
      url: (v) => `productoras_exitosas/${enc(v.productora)}`,
      render: (b) => [
        el("h3", { class: "film-title" }, b.productora),
        el("div", { class: "stats" },
          stat("ingresos (revenue)", fmtMoney(b.ganancia_total)),
          stat("películas", fmtNumber(b.cantidad))),
      ],
    },
    director: {
      field: "nombre_director", what: "un director",
      url: (v) => `get_director/${enc(v.nombre_director)}`,
      render: renderDirector,
    },
    recomendacion: {
      field: "titulo", year: "anio", what: "un título",
      url: (v) => `recomendacion/${enc(v.titulo)}${yearQuery(v.anio)}`,
      render: renderRecommendation,
    },
  };

  /** How a title that matched nothing directly was read ("El padrino" -> The Godfather). */
  function interpretation(reading) {
    if (!reading) return null;
    return el("p", { class: "interpretation" }, "Se interpretó «", el("q", {}, reading.consulta),
      "» como ", el("strong", {}, reading.titulo),
      el("span", { class: "score" }, ` similitud ${fmtNumber(reading.similitud, 2)}`));
  }

  function otherMatches(others, ctx) {
    if (!others || !others.length) return null;
    return el("div", { class: "others" },
      el("p", {}, "Otras películas con el mismo título:"),
      el("ul", { class: "inline-list" }, others.map((o) => el("li", {},
        linkButton(`${o.titulo} (${o.anio})`, () => ctx.ask({ [ctx.q.field]: o.titulo, [ctx.q.year]: o.anio }))))));
  }

  function renderDirector(b) {
    const films = b.peliculas || [];
    const table = el("table", { class: "films" },
      el("caption", { class: "sr-only" }, `Películas de ${b.director}`),
      el("thead", {}, el("tr", {},
        ["Película", "Estreno", "Retorno", "Costo (US$)", "Ganancia (US$)"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, films.map((f) => el("tr", {},
        el("td", {}, f.titulo),
        el("td", { class: "nowrap" }, f.fecha_lanzamiento),
        el("td", { class: "num" }, fmtRatio(f.retorno)),
        el("td", { class: "num nowrap" }, fmtNumber(Math.round(f.costo || 0))),
        el("td", { class: "num nowrap" }, fmtNumber(Math.round(f.ganancia || 0)))))));
    return [
      el("h3", { class: "film-title" }, b.director),
      el("div", { class: "stats" },
        stat("retorno total", fmtRatio(b.retorno_total)),
        stat("películas", fmtNumber(b.cantidad !== undefined ? b.cantidad : films.length))),
      el("div", { class: "table-wrap", tabindex: "0", role: "region",
        "aria-label": `Películas de ${b.director}` }, table),
    ];
  }

  function renderRecommendation(b, ctx) {
    const detail = b.detalle && b.detalle.length
      ? b.detalle
      : (b.recomendaciones || []).map((titulo) => ({ titulo }));
    return [
      interpretation(b.interpretacion),
      el("h3", { class: "film-title" }, "Si le gustó ", el("em", {}, b.titulo),
        b.anio ? el("span", { class: "year" }, ` (${b.anio})`) : null, ":"),
      detail.length
        ? el("ol", { class: "recs" }, detail.map((r) => el("li", {},
          linkButton(r.anio ? `${r.titulo} (${r.anio})` : r.titulo,
            () => ctx.ask({ titulo: r.titulo, anio: r.anio || "" }), "rec-title"),
          r.puntaje !== undefined ? el("span", { class: "score" }, `similitud ${fmtRatio(r.puntaje)}`) : null,
          r.motivos && r.motivos.length
            ? el("span", { class: "chips" }, r.motivos.map((m) => el("span", { class: "chip" }, m)))
            : null)))
        : el("p", {}, "No hay recomendaciones para esta película."),
      otherMatches(b.otras_coincidencias, ctx),
    ];
  }

  function renderSearch(b, ctx) {
    const results = b.resultados || [];
    const page = Number(b.pagina || 1);
    const limit = Number(b.limite || results.length || 10);
    const nodes = [];
    if (!results.length) {
      if (b.sugerencias && b.sugerencias.length) nodes.push(suggestions(b.sugerencias, (s) => ctx.ask({ q: s, pagina: 1 })));
      return nodes;
    }
    nodes.push(el("ul", { class: "hits" }, results.map((r) => el("li", {},
      el("span", { class: "hit-title" }, r.titulo), " ",
      el("span", { class: "year" }, `(${r.anio})`),
      el("span", { class: "hit-meta" },
        [r.duracion_min ? `${fmtNumber(r.duracion_min)} min` : null,
          r.votos !== undefined ? `${fmtNumber(r.votos)} votos` : null,
          r.puntuacion !== undefined ? `nota ${fmtNumber(r.puntuacion, 1)}` : null]
          .filter(Boolean).join(" · ")),
      el("span", { class: "hit-actions" },
        linkButton("Duración", () => askOther("duracion", { pelicula: r.titulo, anio: r.anio })),
        linkButton("Similares", () => askOther("recomendacion", { titulo: r.titulo, anio: r.anio })))))));
    const pager = el("div", { class: "pager" });
    if (page > 1) pager.append(el("button", { type: "button", class: "secondary", onclick: () => ctx.ask({ pagina: page - 1 }) }, "← Anteriores"));
    if (b.total > page * limit) pager.append(el("button", { type: "button", class: "secondary", onclick: () => ctx.ask({ pagina: page + 1 }) }, "Siguientes →"));
    if (pager.childNodes.length) nodes.push(pager);
    return nodes;
  }

  function renderDescription(b) {
    const results = b.resultados || [];
    if (!results.length) return [el("p", { class: "hint" }, "Ninguna película.")];
    return [el("ol", { class: "hits described" }, results.map((r) => el("li", {},
      el("span", { class: "hit-title" }, r.titulo), " ",
      el("span", { class: "year" }, `(${r.anio})`),
      el("span", { class: "hit-meta" }, `similitud ${fmtNumber(r.similitud, 2)}`),
      el("span", { class: "hit-actions" },
        linkButton("Duración", () => askOther("duracion", { pelicula: r.titulo, anio: r.anio })),
        linkButton("Similares", () => askOther("recomendacion", { titulo: r.titulo, anio: r.anio }))))))];
  }

  function suggestions(list, onpick) {
    return el("div", { class: "suggestions" },
      el("p", {}, "¿Quiso decir…?"),
      el("ul", { class: "inline-list" }, list.map((s) => el("li", {}, linkButton(s, () => onpick(s), "suggestion")))));
  }

  /**
   * A 404 suggestion as the values to ask again with: "Title (1995)" on a question with a
   * year field -> title + year; "inglés (en)" on language/country -> the code.
   */
  function suggestionValues(q, label) {
    const match = /^(.*\S)\s+\(([^()]+)\)$/.exec(label);
    if (match && q.year && /^\d{4}$/.test(match[2])) return { [q.field]: match[1], [q.year]: match[2] };
    if (match && q.suggestion === "code") return { [q.field]: match[2] };
    return q.year ? { [q.field]: label, [q.year]: "" } : { [q.field]: label };
  }

  // ------------------------------------------------------------------ asking

  function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll("input[name]")) values[input.name] = input.value.trim();
    return values;
  }

  function setValues(form, values) {
    for (const [name, value] of Object.entries(values)) {
      const input = form.querySelector(`input[name="${name}"]`);
      if (input) input.value = value === undefined || value === null ? "" : value;
    }
  }

  function errorText(detail) {
    if (!detail) return "";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail.map((d) => {
        const where = Array.isArray(d.loc) ? d.loc.filter((x) => x !== "path" && x !== "query").join(".") : "";
        return where ? `${where}: ${d.msg}` : d.msg;
      }).join("; ");
    }
    return detail.mensaje || JSON.stringify(detail);
  }

  function rawJson(url, status, body) {
    return el("details", { class: "raw" },
      el("summary", {}, "JSON de la respuesta"),
      el("p", { class: "request" }, el("code", {}, `GET /${url}`), ` → HTTP ${status}`),
      el("pre", {}, el("code", {}, body === null ? "(respuesta vacía o no JSON)" : JSON.stringify(body, null, 2))));
  }

  function answerCard(kind, title, children) {
    return el("article", { class: `result ${kind}`, "data-status": kind },
      el("h3", { class: "result-head" }, title), children);
  }

  // The latest question asked on each form: an answer arriving after a newer question was
  // asked on the same form is stale and is dropped (two submits may overlap).
  const latest = new WeakMap();

  async function ask(form, overrides) {
    const name = form.dataset.question;
    const q = QUESTIONS[name];
    const box = form.parentElement.querySelector(".answer");
    const mine = (latest.get(form) || 0) + 1;
    latest.set(form, mine);
    const stale = () => latest.get(form) !== mine;
    if (overrides) setValues(form, overrides);
    const values = Object.assign(formValues(form), overrides && "pagina" in overrides ? { pagina: overrides.pagina } : {});
    if (!values[q.field]) {
      box.replaceChildren(answerCard("invalid", "Falta un dato", el("p", {}, `Escriba ${q.what}.`)));
      form.querySelector(`input[name="${q.field}"]`).focus();
      return;
    }
    const url = q.url(values);
    const ctx = { q, ask: (next) => ask(form, next) };
    box.setAttribute("aria-busy", "true");
    box.replaceChildren(el("p", { class: "loading" }, "Consultando…"));
    let status = 0;
    let body = null;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      status = response.status;
      try { body = await response.json(); } catch (_) { body = null; }
    } catch (err) {
      if (stale()) return;
      box.removeAttribute("aria-busy");
      box.replaceChildren(answerCard("error", "Sin conexión con la API",
        el("p", {}, `No se pudo contactar con el servidor (${err.message}).`)));
      return;
    }
    if (stale()) return;
    box.removeAttribute("aria-busy");
    let card;
    if (status >= 200 && status < 300 && body) {
      card = answerCard("ok", body.mensaje || "Respuesta", q.render(body, ctx));
    } else if (status === 404) {
      const detail = body && body.detail;
      const list = detail && Array.isArray(detail.sugerencias) ? detail.sugerencias : [];
      card = answerCard("notfound", "No encontrado (404)", [
        el("p", {}, errorText(detail) || "No se encontró lo que buscaba."),
        list.length
          ? suggestions(list, (s) => ask(form, suggestionValues(q, s)))
          : el("p", { class: "hint" }, "No hay nombres parecidos."),
      ]);
    } else if (status === 422) {
      card = answerCard("invalid", "Entrada no válida (422)",
        el("p", {}, errorText(body && body.detail) || "Revise lo que escribió."));
    } else {
      card = answerCard("error", `Error del servidor (HTTP ${status})`,
        el("p", {}, errorText(body && body.detail) || "Inténtelo de nuevo más tarde."));
    }
    card.append(rawJson(url, status, body));
    box.replaceChildren(card);
  }

  /** Fill another question's form and ask it (from search results), then bring it into view. */
  function askOther(name, values) {
    const form = document.querySelector(`form[data-question="${name}"]`);
    form.closest("section").scrollIntoView({ behavior: "smooth", block: "start" });
    ask(form, values);
  }

  // ------------------------------------------------------------------ autocomplete

  let comboCount = 0;

  function autocomplete(input) {
    const id = `combo-${++comboCount}`;
    const list = el("ul", { id, role: "listbox", class: "listbox", hidden: true,
      "aria-label": "Títulos sugeridos" });
    input.parentElement.append(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    const yearField = input.dataset.yearField ? document.getElementById(input.dataset.yearField) : null;
    let items = [];
    let active = -1;
    let timer = 0;
    let sequence = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) {
          input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function choose(index) {
      const item = items[index];
      if (!item) return;
      input.value = item.titulo;
      if (yearField) yearField.value = item.anio || "";
      close();
      input.focus();
    }

    async function update() {
      const text = input.value.trim();
      const mine = ++sequence;
      if (text.length < 2) { close(); return; } // too long: /buscar answers 422, closed below
      let body;
      try {
        const response = await fetch(`buscar?q=${enc(text)}&limite=8`, { headers: { Accept: "application/json" } });
        if (!response.ok) { if (mine === sequence) close(); return; }
        body = await response.json();
      } catch (_) { return; }
      if (mine !== sequence) return; // a newer keystroke already asked
      items = (body.resultados || []).slice(0, 8);
      list.replaceChildren(...items.map((item, i) => el("li", {
        id: `${id}-${i}`, role: "option", class: "option", "aria-selected": "false",
        onmousedown: (event) => { event.preventDefault(); choose(i); },
      }, el("span", {}, item.titulo), " ", el("span", { class: "year" }, `(${item.anio})`))));
      if (!items.length) { close(); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    input.addEventListener("input", () => {
      if (yearField) yearField.value = ""; // a new title: the year typed for the old one no longer applies
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && items.length;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 120));
    input.form.addEventListener("submit", () => { clearTimeout(timer); sequence++; close(); });
  }

  // ------------------------------------------------------------------ start

  async function health() {
    const status = document.getElementById("estado");
    try {
      const response = await fetch("health", { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const manifest = body.catalogo || body.manifest || body;
      const films = manifest.peliculas ?? manifest.films;
      const dataset = manifest.dataset || manifest.datos;
      const labels = { sample: "muestra real", full: "catálogo completo", synthetic: "datos SINTÉTICOS" };
      const parts = ["Servicio activo"];
      if (dataset) parts.push(labels[dataset] || dataset);
      if (films !== undefined) parts.push(`${fmtNumber(films)} películas`);
      status.textContent = parts.join(" · ");
      status.className = "ok";
    } catch (err) {
      status.textContent = `El servicio no responde (${err.message}).`;
      status.className = "down";
    }
  }

  function start() {
    for (const form of document.querySelectorAll("form[data-question]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        ask(form, form.dataset.question === "buscar" ? { pagina: 1 } : null);
      });
      for (const example of form.querySelectorAll("[data-example]")) {
        example.addEventListener("click", () => {
          const q = QUESTIONS[form.dataset.question];
          const values = { [q.field]: example.dataset.example };
          if (q.year) values[q.year] = "";
          ask(form, values);
        });
      }
    }
    document.querySelectorAll("input[data-autocomplete]").forEach(autocomplete);
    health();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
