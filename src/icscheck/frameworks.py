"""The structure of the national frameworks the rules are grouped by.

Plain data, shared by the rule loader (to check a rule's domain, stage and
arrangement) and by scoring (to order domains and arrangements).
"""

from __future__ import annotations

STAGES = ("emerging", "developing", "maturing", "thriving")

#: Maturity matrix domains (Designing ICSs in England, June 2019, Annex 2), in the matrix's order.
MATRIX_DOMAINS = {
    "system-leadership": "System leadership, partnerships and change capability",
    "system-architecture": "System architecture and strong financial management and planning",
    "integrated-care-models": "Integrated care models",
    "track-record": "Track record of delivery",
    "coherent-population": "Coherent and defined population",
}

#: The seven consistent ICS operating arrangements, keyed by arrangement kind.
OPERATING_ARRANGEMENTS = {
    "coa_system_capabilities": "System capabilities for transformation and performance",
    "coa_streamlined_commissioning": "Streamlined commissioning arrangements",
    "coa_shared_care_record": "Shared care record",
    "coa_leadership_model": "Leadership model",
    "coa_system_governance": "System-wide governance",
    "coa_system_plans": "System plans",
    "coa_capital_and_estates": "Capital and estates plans agreed at system level",
}

#: Delivery RAG key of the operating arrangements, from best to worst, with the status each means.
RAG_KEY = {
    "G": ("achieved", "Achieved ICS consistent operating arrangement"),
    "GA": ("delivering_milestones", "Plan delivering significant milestones"),
    "A": ("agreed_on_track", "Plan agreed and on track"),
    "AR": ("to_be_developed", "Plan to be developed in next quarter"),
    "R": ("in_discussion", "Discussion ongoing"),
}
STATUS_TO_RAG = {status: rag for rag, (status, _) in RAG_KEY.items()}
STATUS_TO_RAG["none"] = "R"

#: Themes of 'Integrating care: next steps' section 2, used as rule domains.
INTEGRATING_CARE_THEMES = {
    "provider-collaboratives": "Provider collaboratives (paras 2.4-2.16)",
    "place-based-partnerships": "Place-based partnerships (paras 2.17-2.23)",
    "clinical-and-professional-leadership": "Clinical and professional leadership (paras 2.24-2.27)",
    "governance-and-accountability": "Governance and public accountability (paras 2.28-2.38)",
    "financial-framework": "Financial framework (paras 2.39-2.48)",
    "data-and-digital": "Data and digital (paras 2.49-2.51)",
    "regulation-and-oversight": "Regulation and oversight (paras 2.52-2.61)",
    "commissioning": "How commissioning will change (paras 2.62-2.67)",
}
