// GOV.UK Frontend's "js-enabled" classes, set before the page is drawn so that
// components do not flash their no-JavaScript layout. Loaded without defer for that reason.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
