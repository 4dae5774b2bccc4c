"""The canonical columns: the contract between pipeline stages (one place).

Every reader maps its headers onto these names; anything else passes through as
``extra.<original header>``. All input values are read as strings first, so a VAT
``0403170701`` or a postcode ``01000`` keeps its leading zero.

>>> "company_name" in INPUT_COLUMNS, "company_name_norm" in INPUT_COLUMNS
(True, False)
>>> EXTRA_PREFIX + "Notes"
'extra.Notes'
"""

from __future__ import annotations

from .identifiers import IDENTIFIERS
from .identifiers import OUTPUTS as IDENTIFIER_OUTPUTS

EXTRA_PREFIX = "extra."

# Provenance: set by the reader before anything else happens.
PROVENANCE = ["source_file", "source_row"]

# Columns a header in an input file can be mapped onto (rules/headers.toml uses these names).
INPUT_COLUMNS: dict[str, str] = {
    # company
    "company_name": "legal or trade name of the company",
    "legal_form": "legal form as typed (SPRL, BV, SAS, GmbH …); normalised to a code",
    **{i.field: i.description for i in IDENTIFIERS},  # vat, enterprise_number, siren …
    "website": "company website",
    # address
    "address": "a whole street line ('Rue de la Loi 16 bte 3'), split into street/number/box",
    "street": "street name",
    "house_number": "house number",
    "box": "box / bus / boîte",
    "address_line2": "second address line (building, lieu-dit …)",
    "postcode": "postcode",
    "city": "city / municipality",
    "postcode_city": "'1000 Bruxelles' in one cell, split into postcode and city",
    "country": "country name or code in FR/NL/EN/DE",
    "employees": "headcount or band as the file declares it ('10 à 19 salariés', '1-2', 'Pas de salarié', '250+')",
    "nace": "activity code as the file declares it (NAF '62.01Z', NACE-BEL '62010', NACE '62.01')",
    # contact person
    "title": "civility (M., Mme, Dhr., Mevr., Herr, Frau, Mr …)",
    "first_name": "given name",
    "last_name": "family name",
    "full_name": "a whole person name ('DUPONT Jean', 'Jean Dupont'), split",
    "function": "job title / function",
    "email": "email address",
    "phone": "phone number (switchboard or direct line)",
    "mobile": "mobile phone number",
    "language": "preferred language",
    "birth_date": "date of birth",
    # consent and provenance supplied by the file
    "opt_out": "the person objected / unsubscribed, every channel (yes/no, oui/non, ja/nee, 1/0, x, a date)",
    "opt_out_email": "the person refused e-mail (and SMS): yes/no words, 1/0, x, or the date of withdrawal",
    "opt_out_phone": "the person refused phone calls: yes/no words, 1/0, x, or the date of withdrawal",
    "opt_out_post": "the person refused addressed post: yes/no words, 1/0, x, or the date of withdrawal",
    "consent_date": "date consent was given or recorded",
    "consent_source": "where consent was collected",
    "email_consent": "consent to e-mail marketing (yes/no words, or the date it was given)",
    "phone_consent": "consent to telephone marketing (yes/no words, or the date it was given)",
    "last_purchase_date": "date of the customer's last purchase (existing customer: soft opt-in)",
    "source_date": "date the record was collected or last updated",
    "external_id": "the record's id in the source system (CRM id, customer number)",
}

# Columns `enrich clean` writes, in order (extras follow, in input order).
OUTPUT_COLUMNS: list[str] = [
    *PROVENANCE,
    "external_id",
    # company
    "company_name",
    "company_name_norm",
    "legal_form",
    *IDENTIFIER_OUTPUTS,  # vat, vat_formatted, enterprise_number … id_status, id_reason
    "website",
    "employees",
    "employees_min",
    "employees_max",
    "nace",
    # address
    "street",
    "house_number",
    "box",
    "address_line2",
    "postcode",
    "postcode_status",
    "city",
    "country",
    "country_source",
    # contact
    "title",
    "first_name",
    "last_name",
    "function",
    "email",
    "email_status",
    "email_reason",
    "email_role",
    "email_freemail",
    "email_other",
    "phone",
    "phone_status",
    "phone_type",
    "mobile",
    "mobile_status",
    "mobile_type",
    "language",
    "language_source",
    "birth_date",
    # consent
    "opt_out",
    "opt_out_email",
    "opt_out_phone",
    "opt_out_post",
    "consent_date",
    "consent_source",
    "email_consent",
    "phone_consent",
    "last_purchase_date",
    "source_date",
    # every field-level problem of the row, ';'-separated, without personal data
    "issues",
]

ID_STATUSES = ("valid", "invalid_checksum", "invalid_format", "conflict", "ambiguous", "missing")
VALUE_STATUSES = ("valid", "invalid", "missing")
