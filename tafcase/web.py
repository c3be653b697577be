"""Shared page code: one way to run a form page, answer a stale edit, act on a POST and
send a PDF. Views parse and authorise, then hand the rest to these."""

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from tafcase.errors import Conflict, StaleEdit


def form_errors_from(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def keep_typed_after_stale_edit(forms: list[Form], stale: StaleEdit) -> None:
    """A stale save keeps what was typed: the forms stay bound to the POST, show why
    nothing was saved, and carry the latest version so the next save can succeed."""
    first = forms[0]
    first.add_error(None, f"{stale} What you typed is below.")
    if stale.current_version is None:
        return
    for form in forms:
        if "version" in form.fields and form.is_bound:
            data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
            data[form.add_prefix("version")] = stale.current_version
            form.data = data


def form_page(
    request: HttpRequest,
    form: Form,
    save: Callable[..., Any],
    *,
    success: str,
    done: str,
    template: str = "families/form.html",
    context: dict | None = None,
) -> HttpResponse:
    """On a valid POST call save(**cleaned_data) (a service) and go to `done` (a URL).
    A service's ValidationError lands on the form and a stale edit answers 409, both with
    what was typed, as does a Conflict (the record is no longer in the state the form
    expects). A create form carrying an idempotency key passes it to the service, so the
    same form sent twice saves once and both times land on `done`."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except StaleEdit as stale:
            keep_typed_after_stale_edit([form], stale)
            status = 409
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, success)
            return redirect(done)
    return render(request, template, {**(context or {}), "form": form}, status=status)


def post_action(
    request: HttpRequest, act: Callable[[], Any], *, success: str, done: str
) -> HttpResponse:
    """A button that changes one thing: run the service, say what happened (its refusal as
    an error message) and go back to `done` (post, then redirect). Services make their
    transitions conditional, so a button pressed twice changes the record once."""
    try:
        act()
    except (ValidationError, StaleEdit, Conflict) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect(done)


def render_pdf(
    request: HttpRequest | None,
    template: str,
    context: dict,
    progress: Callable[[str, int], None] | None = None,
) -> bytes:
    """A template rendered to PDF by WeasyPrint (static files resolved from the site; a
    worker, with no request, renders templates that need no files). The template extends
    pdf/base.html, which gives every page its title, marking and number. `progress` hears
    the two long stages, laying out the pages and writing them."""
    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    if progress:
        progress("Laying out the pages", 30)
    document = HTML(string=html, base_url=base_url).render()
    if progress:
        progress(f"Writing {len(document.pages)} pages", 80)
    return document.write_pdf()


def numbered_pdf(parts: list[bytes], *, page_css: str) -> bytes:
    """PDFs made in parts (so memory stays bounded by a part's size, however long the
    whole) joined into one, with "Page X of Y" stamped in every page's bottom-right margin
    box. `page_css` is the parts' @page size and margins, so the numbers land where the
    parts' own margin boxes would put them."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    total = len(writer.pages)
    numbers = PdfReader(
        io.BytesIO(
            HTML(
                string=(
                    f"<style>@page {{ {page_css} @bottom-right {{ content: 'Page ' "
                    "counter(page) ' of ' counter(pages); font-family: 'DejaVu Sans', "
                    "sans-serif; font-size: 8pt; } } div { break-after: page; }</style>"
                    + "<div></div>"
                    * total
                )
            ).write_pdf()
        )
    )
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(number)
        page.compress_content_streams()  # merging leaves the page's text uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_response(pdf: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_response(content: bytes | str, filename: str) -> HttpResponse:
    """A CSV download (cells already neutralised by tafcase.csv_safe), never cached."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
