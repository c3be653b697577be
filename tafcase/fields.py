"""Form and serializer fields that apply the identity rules (tafcase.identity).

Every form and serializer that takes a postcode, a personal identifier, a date of birth or
a date that has happened uses these, so the pages and the API accept and refuse the same
values and store them in the same form. A value that breaks a rule is a form error or a
400; the stored form always fits its model column.
"""

from collections.abc import Callable
from datetime import date

from django import forms
from django.utils import timezone
from rest_framework import serializers

from tafcase import identity
from tafcase.forms import GovukDateField

# Typed values may carry spaces ("QQ 12 34 56 C"); allow for them before normalising.
_TYPING_ROOM = 8

DateRule = Callable[..., date]


def _rule_for_text(name: str) -> tuple[Callable[[str], str], int]:
    """The parser for a postcode or identifier field, and the longest input it takes."""
    if name == "postcode":
        return identity.parse_postcode, identity.POSTCODE_MAX_LENGTH + _TYPING_ROOM
    return identity.IDENTIFIER_PARSERS[name], identity.IDENTIFIER_LENGTHS[name] + _TYPING_ROOM


# --- forms ------------------------------------------------------------------------------


class IdentityField(forms.CharField):
    """A postcode or personal identifier, by name: ``IdentityField("nino", label=…)``.
    Cleans to the stored form (``"AB123456C"``), or ``""`` when left blank."""

    def __init__(self, name: str, **kwargs):
        self.parse, max_length = _rule_for_text(name)
        kwargs.setdefault("max_length", max_length)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return self.parse(value)
        except identity.IdentityError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class PostcodeField(IdentityField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Postcode")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
            ),
        )
        super().__init__("postcode", **kwargs)


class _RuledDateField(GovukDateField):
    rule: DateRule

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return type(self).rule(value, today=timezone.localdate())
        except identity.IdentityError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class DateOfBirthField(_RuledDateField):
    """A date of birth: not in the future, not before 1900."""

    rule = staticmethod(identity.check_date_of_birth)


class PastDateField(_RuledDateField):
    """A date something happened (consent given, joined or left the Team Around the
    Family, a contact): not in the future, not before 1900."""

    rule = staticmethod(identity.check_not_future)


class EventDateField(_RuledDateField):
    """Any other date (evidence, a meeting, a due date): within the sane window."""

    rule = staticmethod(identity.check_event_date)


# --- serializers ------------------------------------------------------------------------


class IdentitySerializerField(serializers.CharField):
    """The API's :class:`IdentityField`: ``IdentitySerializerField("nhs_number")``."""

    def __init__(self, name: str, **kwargs):
        self.parse, max_length = _rule_for_text(name)
        kwargs.setdefault("max_length", max_length)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return self.parse(value)
        except identity.IdentityError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class PostcodeSerializerField(IdentitySerializerField):
    def __init__(self, **kwargs):
        super().__init__("postcode", **kwargs)


class _RuledDateSerializerField(serializers.DateField):
    rule: DateRule

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        try:
            return type(self).rule(value, today=timezone.localdate())
        except identity.IdentityError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class DateOfBirthSerializerField(_RuledDateSerializerField):
    rule = staticmethod(identity.check_date_of_birth)


class PastDateSerializerField(_RuledDateSerializerField):
    rule = staticmethod(identity.check_not_future)


class EventDateSerializerField(_RuledDateSerializerField):
    rule = staticmethod(identity.check_event_date)
