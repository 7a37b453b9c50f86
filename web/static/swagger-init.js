// Starts Swagger UI on /api/docs (api/docs.py). An external file, not an inline script, so
// the page works under the app's `script-src 'self'` policy.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    // The online validator badge would call validator.swagger.io; nothing leaves the app.
    validatorUrl: null,
  });
})();
