/*
 * Filmoteca web page: one form per API question, the answer shown as a readable card plus
 * the raw JSON, 404 suggestions as links that ask again, 422 shown as an input error,
 * title inputs that autocomplete from /buscar, filters (years, genre, language) on the
 * recommendation and description questions, and every film of an answer a link to its card
 * (/pelicula/{id}, in a dialog; "#pelicula/862" opens it on load and the back button
 * follows it). Plain JavaScript, no build step, no CDN.
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
    for (const child of children.flat(Infinity)) {
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

  /** The filters of the recommendation and description questions (query parameters). */
  const FILTERS = ["anio_desde", "anio_hasta", "genero", "idioma"];

  /** {a: 1, b: ["x", "y"], c: ""} -> "?a=1&b=x&b=y" (empty values left out, lists repeated). */
  function query(params) {
    const parts = [];
    for (const [key, value] of Object.entries(params)) {
      for (const item of [].concat(value)) {
        if (item !== undefined && item !== null && item !== "") parts.push(`${key}=${enc(item)}`);
      }
    }
    return parts.length ? `?${parts.join("&")}` : "";
  }

  const filterParams = (v) => Object.fromEntries(FILTERS.map((name) => [name, v[name]]));

  /** The titles of the "several films" textarea: one per line, blank lines ignored. */
  const titleLines = (text) => (text || "").split("\n").map((t) => t.trim()).filter(Boolean);

  /**
   * Each question: the form field holding the name, how to build the URL, and how to draw
   * a successful answer. `year` is the optional year field (titles); `filters` marks the
   * questions that take the filters; `suggest` turns a 404 suggestion into form values.
   */
  const QUESTIONS = {
    buscar: {
      field: "q", what: "un texto para buscar",
      url: (v) => `buscar${query({ q: v.q, limite: 10, pagina: v.pagina || 1 })}`,
      render: renderSearch,
    },
    descripcion: {
      field: "q", what: "una descripción del argumento", filters: true,
      url: (v) => `buscar_descripcion${query({ q: v.q, limite: 10, ...filterParams(v) })}`,
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
      url: (v) => `peliculas_duracion/${enc(v.pelicula)}${query({ anio: v.anio })}`,
      render: (b, ctx) => [
        interpretation(b.interpretacion),
        el("h3", { class: "film-title" }, filmLink(b)),
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
        interpretation(b.interpretacion),
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
        interpretation(b.interpretacion),
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
      field: "titulo", year: "anio", what: "un título", filters: true,
      url: (v) => `recomendacion/${enc(v.titulo)}${query({ anio: v.anio, ...filterParams(v) })}`,
      render: renderRecommendation,
    },
    varias: {
      field: "titulos", what: "de 2 a 10 títulos, uno por línea", filters: true,
      url: (v) => `recomendacion${query({ titulo: titleLines(v.titulos), ...filterParams(v) })}`,
      render: renderSeveral,
      suggest: replaceMissingTitle,
    },
  };

  // ------------------------------------------------------------------ answer parts

  /** A film of any answer, as a link that opens its card ("#pelicula/862"). */
  function filmLink(film, extraClass) {
    return el("a", { href: `#pelicula/${film.id}`, class: `film-link ${extraClass || ""}`.trim() },
      film.titulo, film.anio ? el("span", { class: "year" }, ` (${film.anio})`) : null);
  }

  // How each kind of reading is told (the API's `mensaje` says the same).
  const READINGS = {
    titulo_original: "es el título original de",
    titulo_en_espanol: "es el título en español de",
  };

  /**
   * How a typed name was read: a title that matched nothing directly ("El padrino" ->
   * The Godfather) or a name typed in part ("hitchcock" -> Alfred Hitchcock).
   */
  function interpretation(reading) {
    if (!reading) return null;
    const similarity = reading.similitud === null || reading.similitud === undefined
      ? null : el("span", { class: "score" }, ` similitud ${fmtNumber(reading.similitud, 2)}`);
    return el("p", { class: "interpretation" }, "«", el("q", {}, reading.consulta), "» ",
      READINGS[reading.metodo] || "se interpretó como", " «",
      el("strong", {}, reading.titulo || reading.nombre), "»",
      reading.anio ? ` (${reading.anio})` : null, similarity);
  }

  /** The filters an answer applied (its `filtros` echo), or nothing. */
  function appliedFilters(filters) {
    if (!filters) return null;
    const parts = [];
    if (filters.anio_desde || filters.anio_hasta) {
      parts.push(`años ${filters.anio_desde || "…"}–${filters.anio_hasta || "…"}`);
    }
    if (filters.genero) parts.push(`género ${filters.genero}`);
    if (filters.idioma) parts.push(`idioma ${filters.idioma}`);
    if (!parts.length) return null;
    return el("p", { class: "applied-filters" }, "Filtros: ",
      parts.map((p) => el("span", { class: "chip" }, p)));
  }

  const chips = (reasons) => (reasons && reasons.length
    ? el("span", { class: "chips" }, reasons.map((m) => el("span", { class: "chip" }, m)))
    : null);

  /** Recommendations, best first, each opening its card; `inputs` names the films asked for. */
  function recList(detail, inputs) {
    if (!detail.length) return el("p", {}, "Ninguna película similar cumple lo pedido.");
    const titleOf = new Map((inputs || []).map((f) => [f.id, f.titulo]));
    return el("ol", { class: "recs" }, detail.map((r) => el("li", {},
      r.id ? filmLink(r, "rec-title") : r.titulo,
      r.puntaje !== undefined ? el("span", { class: "score" }, `similitud ${fmtRatio(r.puntaje)}`) : null,
      inputs && r.responde_a
        ? el("span", { class: "answers-to" }, "responde a: ",
          r.responde_a.map((id) => titleOf.get(id) || `id ${id}`).join(", "))
        : null,
      chips(r.motivos))));
  }

  function otherMatches(others, ctx) {
    if (!others || !others.length) return null;
    return el("div", { class: "others" },
      el("p", {}, "Otras películas con el mismo título:"),
      el("ul", { class: "inline-list" }, others.map((o) => el("li", {},
        filmLink(o), " ",
        el("button", {
          type: "button", class: "link small", "aria-label": `Preguntar por ${o.titulo} (${o.anio})`,
          onclick: () => ctx.ask({ [ctx.q.field]: o.titulo, [ctx.q.year]: o.anio }),
        }, "preguntar")))));
  }

  function renderDirector(b) {
    const films = b.peliculas || [];
    const table = el("table", { class: "films" },
      el("caption", { class: "sr-only" }, `Películas de ${b.director}`),
      el("thead", {}, el("tr", {},
        ["Película", "Estreno", "Retorno", "Costo (US$)", "Ganancia (US$)"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, films.map((f) => el("tr", {},
        el("td", {}, f.id ? filmLink(f) : f.titulo),
        el("td", { class: "nowrap" }, f.fecha_lanzamiento),
        el("td", { class: "num" }, fmtRatio(f.retorno)),
        el("td", { class: "num nowrap" }, fmtNumber(Math.round(f.costo || 0))),
        el("td", { class: "num nowrap" }, fmtNumber(Math.round(f.ganancia || 0)))))));
    return [
      interpretation(b.interpretacion),
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
      el("h3", { class: "film-title" }, "Si le gustó ", b.id ? filmLink(b) : el("em", {}, b.titulo), ":"),
      appliedFilters(b.filtros),
      recList(detail),
      otherMatches(b.otras_coincidencias, ctx),
    ];
  }

  function renderSeveral(b) {
    const inputs = b.titulos || [];
    return [
      inputs.map((f) => interpretation(f.interpretacion)),
      el("h3", { class: "film-title" }, "Si le gustaron:"),
      el("ul", { class: "inline-list inputs" }, inputs.map((f) => el("li", {}, filmLink(f)))),
      appliedFilters(b.filtros),
      recList(b.detalle || [], inputs),
    ];
  }

  /** The actions on a film found by a search: its runtime, or films similar to it. */
  const hitActions = (r) => el("span", { class: "hit-actions" },
    linkButton("Duración", () => askOther("duracion", { pelicula: r.titulo, anio: r.anio })),
    linkButton("Similares", () => askOther("recomendacion", { titulo: r.titulo, anio: r.anio })));

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
      filmLink(r, "hit-title"),
      el("span", { class: "hit-meta" },
        [r.duracion_min ? `${fmtNumber(r.duracion_min)} min` : null,
          r.votos !== undefined ? `${fmtNumber(r.votos)} votos` : null,
          r.puntuacion !== undefined ? `nota ${fmtNumber(r.puntuacion, 1)}` : null]
          .filter(Boolean).join(" · ")),
      hitActions(r)))));
    const pager = el("div", { class: "pager" });
    if (page > 1) pager.append(el("button", { type: "button", class: "secondary", onclick: () => ctx.ask({ pagina: page - 1 }) }, "← Anteriores"));
    if (b.total > page * limit) pager.append(el("button", { type: "button", class: "secondary", onclick: () => ctx.ask({ pagina: page + 1 }) }, "Siguientes →"));
    if (pager.childNodes.length) nodes.push(pager);
    return nodes;
  }

  function renderDescription(b) {
    const results = b.resultados || [];
    return [
      appliedFilters(b.filtros),
      results.length
        ? el("ol", { class: "hits described" }, results.map((r) => el("li", {},
          filmLink(r, "hit-title"),
          el("span", { class: "hit-meta" }, `similitud ${fmtNumber(r.similitud, 2)}`),
          hitActions(r))))
        : el("p", { class: "hint" }, "Ninguna película."),
    ];
  }

  function suggestions(list, onpick, labelOf) {
    return el("div", { class: "suggestions" },
      el("p", {}, "¿Quiso decir…?"),
      el("ul", { class: "inline-list" }, list.map((s) => el("li", {},
        linkButton(labelOf ? labelOf(s) : s, () => onpick(s), "suggestion")))));
  }

  // The suggestion of a 404 for a year range that ends before it starts.
  const YEAR_RANGE = /^anio_desde=(\d+)&anio_hasta=(\d+)$/;
  const suggestionLabel = (s) => {
    const years = YEAR_RANGE.exec(s);
    return years ? `años ${years[1]}–${years[2]}` : s;
  };

  /**
   * A 404 suggestion as the values to ask again with: "Title (1995)" on a question with a
   * year field -> title + year; "inglés (en)" on language/country -> the code; on the
   * questions with filters, a suggestion for the filter the 404 is about (genre, language,
   * years) fills that filter.
   */
  function suggestionValues(q, label, message, values) {
    const match = /^(.*\S)\s+\(([^()]+)\)$/.exec(label);
    if (q.filters) {
      const years = YEAR_RANGE.exec(label);
      if (years) return { anio_desde: years[1], anio_hasta: years[2] };
      if (message.startsWith("No se reconoce el género")) return { genero: label };
      if (message.startsWith("No se reconoce el idioma")) return { idioma: match ? match[2] : label };
    }
    if (q.suggest) return q.suggest(label, message, values);
    if (match && q.year && /^\d{4}$/.test(match[2])) return { [q.field]: match[1], [q.year]: match[2] };
    if (match && q.suggestion === "code") return { [q.field]: match[2] };
    return q.year ? { [q.field]: label, [q.year]: "" } : { [q.field]: label };
  }

  /**
   * Several films, some not found: the API names each missing title with its closest
   * titles ("'Jumanjii' (¿Jumanji, ...?)"); the picked suggestion replaces the missing
   * title it was offered for (or the first missing one).
   */
  function replaceMissingTitle(label, message, values) {
    const lines = titleLines(values.titulos);
    const missing = lines.filter((t) => message.includes(`'${t}'`));
    const offeredFor = (t) => {
      const start = message.indexOf(`'${t}' (¿`);
      return start >= 0 && message.slice(start, message.indexOf("?)", start)).includes(label);
    };
    const target = missing.find(offeredFor) || missing[0];
    if (target === undefined) return { titulos: lines.join("\n") };
    return { titulos: lines.map((t) => (t === target ? label : t)).join("\n") };
  }

  // ------------------------------------------------------------------ asking

  const FIELDS = "input[name], select[name], textarea[name]";

  function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll(FIELDS)) values[input.name] = input.value.trim();
    return values;
  }

  function setValues(form, values) {
    for (const [name, value] of Object.entries(values)) {
      const input = form.querySelector(`[name="${name}"]`);
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

  /** GET a URL of the API: {status, body} (body null when not JSON); throws when offline. */
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    return { status: response.status, body };
  }

  /** The card of an answer that is not a 2xx: 404 with its suggestions, 422, or other. */
  function failureCard(status, body, onpick, labelOf) {
    const detail = body && body.detail;
    if (status === 404) {
      const list = detail && Array.isArray(detail.sugerencias) ? detail.sugerencias : [];
      return answerCard("notfound", "No encontrado (404)", [
        el("p", {}, errorText(detail) || "No se encontró lo que buscaba."),
        list.length && onpick
          ? suggestions(list, onpick, labelOf)
          : el("p", { class: "hint" }, "No hay nombres parecidos."),
      ]);
    }
    if (status === 422) {
      return answerCard("invalid", "Entrada no válida (422)",
        el("p", {}, errorText(detail) || "Revise lo que escribió."));
    }
    return answerCard("error", `Error del servidor (HTTP ${status})`,
      el("p", {}, errorText(detail) || "Inténtelo de nuevo más tarde."));
  }

  const offlineCard = (err) => answerCard("error", "Sin conexión con la API",
    el("p", {}, `No se pudo contactar con el servidor (${err.message}).`));

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
      form.querySelector(`[name="${q.field}"]`).focus();
      return;
    }
    const url = q.url(values);
    const ctx = { q, ask: (next) => ask(form, next) };
    box.setAttribute("aria-busy", "true");
    box.replaceChildren(el("p", { class: "loading" }, "Consultando…"));
    let answer;
    try {
      answer = await getJson(url);
    } catch (err) {
      if (stale()) return;
      box.removeAttribute("aria-busy");
      box.replaceChildren(offlineCard(err));
      return;
    }
    if (stale()) return;
    const { status, body } = answer;
    box.removeAttribute("aria-busy");
    let card;
    if (status >= 200 && status < 300 && body) {
      card = answerCard("ok", body.mensaje || "Respuesta", q.render(body, ctx));
    } else {
      const message = errorText(body && body.detail);
      card = failureCard(status, body,
        (s) => ask(form, suggestionValues(q, s, message, values)), suggestionLabel);
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

  // ------------------------------------------------------------------ filters

  /** The filter fields of a form with `data-filters`, inserted before its submit button. */
  function addFilters(form) {
    const id = (name) => `${form.id}-${name.replace("_", "-")}`;
    const field = (name, label, attrs, wide) => el("div", { class: wide ? "field" : "field small" },
      el("label", { for: id(name) }, label),
      el("input", { id: id(name), name, autocomplete: "off", ...attrs }));
    const year = { type: "number", inputmode: "numeric", min: 1870, max: 2100 };
    const fieldset = el("fieldset", { class: "filters" },
      el("legend", {}, "Filtros ", el("span", { class: "opt" }, "(opcionales)")),
      field("anio_desde", "Desde el año", { ...year, placeholder: "1990" }),
      field("anio_hasta", "Hasta el año", { ...year, placeholder: "2000" }),
      field("genero", "Género", { list: "generos", placeholder: "p. ej. Animación" }, true),
      field("idioma", "Idioma original", { list: "idiomas", placeholder: "es, español o Spanish" }, true),
      el("button", {
        type: "button", class: "secondary",
        onclick: () => setValues(form, Object.fromEntries(FILTERS.map((n) => [n, ""]))),
      }, "Quitar filtros"));
    form.querySelector("button[type=submit]").before(fieldset);
  }

  // ------------------------------------------------------------------ film card

  // "#pelicula/862": the card of that film is open (deep link; the back button works).
  const FILM_HASH = /^#pelicula\/(\d+)$/;
  let filmSequence = 0;
  let openedFrom = null;

  const named = (n) => `${n.nombre} (${n.codigo})`;

  function renderFilm(f) {
    const facts = [
      ["Título original", f.titulo_original],
      ["Géneros", (f.generos || []).join(", ")],
      ["Dirección", (f.directores || []).join(", ")],
      ["Reparto", (f.reparto || []).join(", ")],
      ["Colección", f.coleccion],
      ["Productoras", (f.productoras || []).join(", ")],
      ["Países", (f.paises || []).map(named).join(", ")],
      ["Idioma original", f.idioma_original && named(f.idioma_original)],
      ["Idiomas hablados", (f.idiomas || []).map(named).join(", ")],
    ].filter(([, value]) => value);
    const links = [["tmdb", "Ver en TMDB"], ["imdb", "Ver en IMDb"]]
      .filter(([key]) => f.enlaces && /^https:\/\//.test(f.enlaces[key] || ""))
      .map(([key, text]) => el("a", { href: f.enlaces[key], target: "_blank", rel: "noopener" }, text));
    return [
      el("h2", { id: "ficha-titulo", class: "film-title", tabindex: "-1" },
        f.titulo, " ", el("span", { class: "year" }, `(${f.anio})`)),
      f.lema ? el("p", { class: "tagline", lang: "en" }, f.lema) : null,
      f.mensaje ? el("p", { class: "film-summary" }, f.mensaje) : null,
      el("div", { class: "stats" },
        stat("duración", f.duracion_min ? `${fmtNumber(f.duracion_min)} min` : "desconocida"),
        stat("estreno", f.fecha_lanzamiento),
        stat("puntuación", `${fmtNumber(f.puntuacion, 1)} / 10`),
        stat("votos", fmtNumber(f.votos)),
        stat("presupuesto", fmtMoney(f.costo)),
        stat("ingresos", fmtMoney(f.ganancia)),
        stat("retorno", fmtRatio(f.retorno))),
      el("dl", { class: "facts" }, facts.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
      f.sinopsis ? [el("h3", {}, "Sinopsis"), el("p", { class: "overview", lang: "en" }, f.sinopsis)] : null,
      el("h3", {}, "Películas similares"),
      recList(f.recomendaciones || []),
      el("p", { class: "film-actions" }, links,
        linkButton("Recomendar con filtros", () => {
          document.getElementById("ficha").close();
          askOther("recomendacion", { titulo: f.titulo, anio: f.anio });
        })),
    ];
  }

  /** Open the card of film `id` in the dialog (fetching /pelicula/{id}). */
  async function showFilm(id) {
    const dialog = document.getElementById("ficha");
    const body = dialog.querySelector(".ficha-body");
    const mine = ++filmSequence;
    const url = `pelicula/${enc(id)}`;
    const heading = () => el("h2", { id: "ficha-titulo", tabindex: "-1" }, "Ficha de la película");
    body.replaceChildren(heading(), el("p", { class: "loading" }, "Consultando…"));
    if (!dialog.open) {
      openedFrom = document.activeElement;
      dialog.showModal();
    }
    let content;
    try {
      const { status, body: film } = await getJson(url);
      if (mine !== filmSequence) return;
      const card = status === 200 && film
        ? el("article", { class: "film-card", "data-status": "ok" }, renderFilm(film))
        : failureCard(status, film);
      card.append(rawJson(url, status, film));
      content = status === 200 && film ? [card] : [heading(), card];
    } catch (err) {
      if (mine !== filmSequence) return;
      content = [heading(), offlineCard(err)];
    }
    body.replaceChildren(...content);
    dialog.scrollTop = 0;
    const title = body.querySelector("#ficha-titulo");
    if (title) title.focus({ preventScroll: true });
  }

  /** Follow the URL hash: a film's hash opens its card, any other closes it. */
  function route() {
    const dialog = document.getElementById("ficha");
    const match = FILM_HASH.exec(location.hash);
    if (match) showFilm(match[1]);
    else if (dialog.open) dialog.close();
  }

  function setUpFilmCard() {
    const dialog = document.getElementById("ficha");
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", () => {
      filmSequence++; // an answer still on its way is not shown
      // closed with the button, Escape or the backdrop: a new history entry without the
      // film, so that "back" opens the card again
      if (FILM_HASH.test(location.hash)) history.pushState(null, "", location.pathname + location.search);
      if (openedFrom && openedFrom.isConnected) openedFrom.focus();
      openedFrom = null;
    });
    window.addEventListener("hashchange", route);
    const byId = document.getElementById("q-ficha");
    byId.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = byId.querySelector("[name=pelicula_id]");
      const id = input.value.trim();
      const box = byId.parentElement.querySelector(".answer");
      box.replaceChildren();
      if (!id) {
        box.append(answerCard("invalid", "Falta un dato", el("p", {}, "Escriba el id de TMDB de una película.")));
        input.focus();
      } else if (!/^\d+$/.test(id)) showFilm(id); // the API answers 422, shown in the card
      else if (location.hash === `#pelicula/${id}`) showFilm(id);
      else location.hash = `pelicula/${id}`;
    });
    for (const example of byId.querySelectorAll("[data-example]")) {
      example.addEventListener("click", () => {
        byId.querySelector("[name=pelicula_id]").value = example.dataset.example;
        byId.requestSubmit();
      });
    }
    route();
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
      const q = QUESTIONS[form.dataset.question];
      if (q.filters) addFilters(form);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        ask(form, form.dataset.question === "buscar" ? { pagina: 1 } : null);
      });
      for (const example of form.querySelectorAll("[data-example]")) {
        // an example is a whole question: its filters (data-genero...) or none
        example.addEventListener("click", () => {
          const values = { [q.field]: example.dataset.example };
          if (q.year) values[q.year] = "";
          if (q.filters) for (const name of FILTERS) values[name] = example.dataset[name] || "";
          ask(form, values);
        });
      }
    }
    // a textarea keeps Enter for new lines: Ctrl+Enter (or Cmd+Enter) asks
    for (const area of document.querySelectorAll("form[data-question] textarea")) {
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          area.form.requestSubmit();
        }
      });
    }
    document.querySelectorAll("input[data-autocomplete]").forEach(autocomplete);
    setUpFilmCard();
    health();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
