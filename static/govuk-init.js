// Start every GOV.UK Frontend component on the page (a module: browsers too old for
// modules get the no-JavaScript versions, as GOV.UK Frontend intends).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
