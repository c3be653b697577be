// Selects of many people (tafcase.forms.AutocompleteSelect) become a type-ahead: type part
// of a name or agency to narrow the list. Without JavaScript they stay ordinary selects.
for (const select of document.querySelectorAll("select[data-autocomplete]")) {
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    showAllValues: true,
    preserveNullOptions: true,
    tNoResults: () => "No one found",
  });
}
