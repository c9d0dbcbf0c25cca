// Renders /api/v1/openapi.json as a readable reference. No external assets; text is inserted
// with textContent only, so nothing in the document can inject markup.
(function () {
  "use strict";
  var spec;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function resolve(schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 20) {
      var parts = schema.$ref.replace(/^#\//, "").split("/");
      schema = parts.reduce(function (o, p) { return o && o[p]; }, spec);
    }
    return schema || {};
  }

  function typeName(schema) {
    if (!schema) return "";
    if (schema.$ref) return schema.$ref.split("/").pop();
    if (schema.type === "array") return "array of " + typeName(schema.items);
    return (schema.type || "object") + (schema.format ? " (" + schema.format + ")" : "");
  }

  function schemaTable(schema, depth) {
    schema = resolve(schema);
    if (schema.type === "array") return schemaTable(schema.items, depth);
    var props = schema.properties || {};
    var required = schema.required || [];
    var rows = Object.keys(props).map(function (name) {
      var prop = props[name];
      var target = resolve(prop.type === "array" ? prop.items : prop);
      var cells = [
        el("td", {}, [el("code", {}, [name]), required.indexOf(name) >= 0 ? el("span", {class: "req"}, [" required"]) : ""]),
        el("td", {}, [typeName(prop)]),
        el("td", {}, [prop.description || resolve(prop).description || (prop.enum ? "one of " + prop.enum.join(", ") : "")])
      ];
      var row = el("tr", {}, cells);
      if (target.properties && depth < 4) {
        var nested = el("details", {}, [el("summary", {}, ["fields of " + name]), schemaTable(target, depth + 1)]);
        cells[2].appendChild(nested);
      }
      return row;
    });
    if (!rows.length) return el("p", {}, [typeName(schema)]);
    return el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", {}, ["field"]), el("th", {}, ["type"]), el("th", {}, ["description"])])]), el("tbody", {}, rows)]);
  }

  function operation(path, method, op) {
    var id = (method + path).replace(/[^a-z0-9]+/gi, "-");
    var box = el("section", {class: "op", id: id}, [
      el("h3", {}, [el("span", {class: "method " + method}, [method]), el("code", {}, [path])]),
      el("p", {}, [op.summary || ""]),
      op.description ? el("p", {}, [op.description]) : ""
    ]);
    var params = (op.parameters || []).map(resolve);
    if (params.length) {
      box.appendChild(el("h4", {}, ["Parameters"]));
      box.appendChild(el("table", {}, params.map(function (p) {
        return el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in]),
          el("td", {}, [typeName(p.schema)]), el("td", {}, [p.description || ""])]);
      })));
    }
    if (op.requestBody) {
      var content = op.requestBody.content || {};
      var media = content["application/json"];
      box.appendChild(el("h4", {}, ["Request body (JSON)"]));
      if (media) box.appendChild(schemaTable(media.schema, 0));
    }
    box.appendChild(el("h4", {}, ["Responses"]));
    Object.keys(op.responses || {}).forEach(function (code) {
      var r = resolve(op.responses[code]);
      var media = (r.content || {})["application/json"];
      var d = el("details", {}, [el("summary", {}, [code + " — " + (r.description || "")])]);
      if (media && media.schema) d.appendChild(schemaTable(media.schema, 0));
      box.appendChild(d);
    });
    return box;
  }

  function render() {
    document.title = spec.info.title + " " + spec.info.version;
    document.getElementById("title").textContent = spec.info.title + " (v" + spec.info.version + ")";
    document.getElementById("description").textContent = spec.info.description || "";
    var content = document.getElementById("content");
    var toc = el("ul", {}, []);
    content.textContent = "";
    var byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        if (method === "parameters") return;
        var op = spec.paths[path][method];
        var tag = (op.tags || ["other"])[0];
        (byTag[tag] = byTag[tag] || []).push([path, method, op]);
      });
    });
    (spec.tags || []).concat([{name: "other"}]).forEach(function (tag) {
      var ops = byTag[tag.name];
      if (!ops) return;
      content.appendChild(el("h2", {}, [tag.name]));
      if (tag.description) content.appendChild(el("p", {}, [tag.description]));
      ops.forEach(function (o) {
        content.appendChild(operation(o[0], o[1], o[2]));
        toc.appendChild(el("li", {}, [el("a", {href: "#" + (o[1] + o[0]).replace(/[^a-z0-9]+/gi, "-")}, [o[1].toUpperCase() + " " + o[0]])]));
      });
    });
    document.getElementById("toc").appendChild(toc);
  }

  fetch("/api/v1/openapi.json").then(function (r) { return r.json(); }).then(function (doc) {
    spec = doc;
    render();
  }).catch(function (err) {
    document.getElementById("content").textContent = "Could not load the OpenAPI document: " + err;
  });
})();
