// Swagger UI for /api/docs (backend/apidocs.py). validatorUrl: null keeps the page from asking
// validator.swagger.io for a badge; the spec is this server's own.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: false,
  });
});
