"""The unit costs an authority's table starts from: a handful of public-sector costs of
the kind the New Economy / GMCA Research Unit Cost Database gathers from national sources.

They are illustrative defaults, written down so the calculator has something sensible to
show on day one: every source says so, and the programme team should check each value
against the current Unit Cost Database (or its own finance colleagues) and its price year
before the figures leave the building. Two rows have no tafcase measure on purpose (A&E
attendances, and the harm a violent crime does to its victim): the table shows them, the
calculator says it cannot count them.
"""

from decimal import Decimal

_CHECK = (
    " Illustrative default, to be checked locally: compare with the current GMCA Research "
    "Unit Cost Database entry and uprate to your price year before use."
)


def _row(
    measure: str,
    category: str,
    item: str,
    unit: str,
    value: str,
    price_year: str,
    kind: str,
    bearing_agency: str,
    cashable: bool,
    source: str,
) -> dict:
    return {
        "measure": measure,
        "category": category,
        "item": item,
        "unit": unit,
        "value": Decimal(value),
        "price_year": price_year,
        "kind": kind,
        "bearing_agency": bearing_agency,
        "cashable": cashable,
        "source": source + _CHECK,
    }


DEFAULT_UNIT_COSTS: tuple[dict, ...] = (
    _row(
        "asb_incident",
        "Crime and anti-social behaviour",
        "Anti-social behaviour incident: police and council response",
        "per incident",
        "700.00",
        "2019/20",
        "fiscal",
        "Police and local authority",
        False,
        "Of the order of the Unit Cost Database's anti-social behaviour incident cost "
        "(lineage: Home Office and National Audit Office 2006, Tackling Anti-Social "
        "Behaviour).",
    ),
    _row(
        "proven_offence",
        "Crime and anti-social behaviour",
        "Proven offence: police, courts and sentence (not custody)",
        "per proven offence",
        "3000.00",
        "2019/20",
        "fiscal",
        "Police and criminal justice system",
        False,
        "Of the order of the Unit Cost Database's criminal justice response costs "
        "(lineage: Home Office, The economic and social costs of crime, 2018).",
    ),
    _row(
        "domestic_abuse_incident",
        "Crime and anti-social behaviour",
        "Domestic abuse incident: police response",
        "per incident",
        "1000.00",
        "2019/20",
        "fiscal",
        "Police",
        False,
        "Of the order of the police response share in Home Office, The economic and "
        "social costs of domestic abuse, 2019.",
    ),
    _row(
        "suspension",
        "Education",
        "Suspension (fixed-period exclusion): school and local authority time",
        "per suspension",
        "300.00",
        "2019/20",
        "fiscal",
        "School and local authority education",
        False,
        "Of the order of the Unit Cost Database's fixed-period exclusion cost (lineage: "
        "Parsons and others, Exclusion from school: the public cost).",
    ),
    _row(
        "permanent_exclusion",
        "Education",
        "Permanent exclusion: a year's place in alternative provision",
        "per exclusion",
        "18000.00",
        "2017/18",
        "fiscal",
        "Local authority education",
        True,
        "Of the order of the annual alternative-provision cost per pupil in IPPR, Making "
        "the difference, 2017.",
    ),
    _row(
        "eviction_notice",
        "Housing",
        "Eviction proceedings: landlord's legal and administrative costs",
        "per notice served",
        "2000.00",
        "2019/20",
        "fiscal",
        "Social landlord",
        True,
        "Of the order of the Unit Cost Database's eviction cost for social landlords; a "
        "notice does not always end in an eviction, so this is below the full cost.",
    ),
    _row(
        "homeless_application",
        "Housing",
        "Statutory homelessness application",
        "per application",
        "3000.00",
        "2019/20",
        "fiscal",
        "Local authority housing",
        True,
        "Of the order of the Unit Cost Database's homelessness application cost (lineage: "
        "DCLG, Evidence review of the costs of homelessness, 2012).",
    ),
    _row(
        "temporary_accommodation",
        "Housing",
        "Temporary accommodation: an average stay",
        "per placement",
        "6000.00",
        "2019/20",
        "fiscal",
        "Local authority housing",
        True,
        "Of the order of the Unit Cost Database's weekly temporary accommodation cost "
        "times a typical stay of several months.",
    ),
    _row(
        "child_in_need",
        "Children's social care",
        "Child in need episode",
        "per episode",
        "1800.00",
        "2019/20",
        "fiscal",
        "Local authority children's social care",
        False,
        "Of the order of the Unit Cost Database's child in need case cost (lineage: "
        "PSSRU, Unit Costs of Health and Social Care).",
    ),
    _row(
        "child_protection_plan",
        "Children's social care",
        "Child protection plan",
        "per plan",
        "4000.00",
        "2019/20",
        "fiscal",
        "Local authority children's social care",
        False,
        "Of the order of the Unit Cost Database's child protection plan cost (lineage: "
        "PSSRU, Unit Costs of Health and Social Care).",
    ),
    _row(
        "looked_after",
        "Children's social care",
        "Child looked after: first year's placement, all placement types",
        "per child entering care",
        "55000.00",
        "2019/20",
        "fiscal",
        "Local authority children's social care",
        True,
        "Of the order of the Unit Cost Database's average annual cost of a looked-after "
        "child across placement types (lineage: DfE section 251 outturn).",
    ),
    _row(
        "",
        "Health",
        "A&E attendance",
        "per attendance",
        "170.00",
        "2019/20",
        "fiscal",
        "NHS",
        False,
        "Of the order of NHS reference costs for an A&E attendance. tafcase receives no A&E "
        "data, so the calculator cannot count this.",
    ),
    _row(
        "",
        "Crime and anti-social behaviour",
        "Violent crime with injury: physical and emotional harm to the victim",
        "per incident",
        "9000.00",
        "2015/16",
        "social",
        "Victims",
        False,
        "Of the order of the harm element in Home Office, The economic and social costs of "
        "crime, 2018. Offending records do not say which offences were violent, so the "
        "calculator cannot count this.",
    ),
)
