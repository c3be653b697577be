"""A run's results as plain data: for automation (export_datamatch) and the API."""

from eligibility.datamatch.models import DatamatchRun, PartnerRecord
from families.models import Person


def run_export(run: DatamatchRun) -> dict:
    links = {
        record_id: (person_id, method, detail, weight)
        for record_id, person_id, method, detail, weight in run.links.values_list(
            "record_id", "person_id", "method", "detail", "match_weight"
        )
    }
    la_ids = dict(
        Person.objects.filter(pk__in={v[0] for v in links.values()}).values_list(
            "pk", "la_person_id"
        )
    )
    records = []
    in_force = PartnerRecord.objects.filter(partner_import_id__in=run.report["imports"])
    for pk, kind, record_id in in_force.order_by("pk").values_list("pk", "kind", "record_id"):
        person_id, method, detail, weight = links.get(pk, (None, None, "", None))
        records.append(
            {
                "kind": kind,
                "record_id": record_id,
                "person_id": person_id,
                "la_person_id": la_ids.get(person_id) or None,
                "method": method,
                "detail": detail or None,
                "weight": weight,
            }
        )
    households = [
        {
            "key": h.key,
            "members": h.person_ids,
            "la_person_ids": [la_ids.get(pk) or None for pk in h.person_ids],
            "family": h.family_id,
            "eligible": h.eligible,
            "newly_eligible": h.newly_eligible,
            "criteria_met": [
                {"code": c["code"], "evidence": c["evidence"], "explanation": c["explanation"]}
                for c in (*h.decision["national"], *h.decision["local"])
                if c["met"]
            ],
        }
        for h in run.households.order_by("key")
    ]
    return {
        "run": {"id": run.pk, "as_of": run.as_of.isoformat(), "counts": run.counts},
        "records": records,
        "households": households,
    }
