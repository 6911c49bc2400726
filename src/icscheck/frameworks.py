"""The structure of the national frameworks the rules are grouped by.

Plain data, shared by the rule loader (to check a rule's domain, stage and
arrangement) and by scoring (to order domains and arrangements).
"""

from __future__ import annotations

STAGES = ("emerging", "developing", "maturing", "thriving")

#: The stage readiness asks for by default: the matrix's own ("meet the attributes of a maturing ICS").
DEFAULT_THRESHOLD = "maturing"
#: How a domain's stage is read: best fit (most bullets met) or strict (every bullet met); see :mod:`icscheck.scoring`.
BEST_FIT, STRICT = "best-fit", "strict"
STAGE_METHODS = (BEST_FIT, STRICT)
DEFAULT_STAGE_METHOD = BEST_FIT

#: The frameworks rules are grouped by (a rule's ``framework``, also its folder under rules/), in the order
#: reports list them, with the names people read.
FRAMEWORK_NAMES = {
    "maturity-matrix": "Maturity matrix",
    "operating-arrangements": "Consistent operating arrangements",
    "integrating-care": "Integrating care: next steps",
    "planning": "Planning principles and financial tests",
    "design-framework": "ICS design framework",
    "health-and-care-act": "Health and Care Act 2022",
    "provider-collaboratives": "Provider collaborative guidance",
    "population-levels": "Population levels",
    "governance": "Board governance",
    "local": "Local rule packs",
}
FRAMEWORKS = tuple(FRAMEWORK_NAMES)

#: Names of the domains of frameworks other than the matrix and 'Integrating care' (theirs are below); a domain
#: not named here (a local pack's own) is shown as written, with its hyphens as spaces.
OTHER_DOMAINS = {
    "financial-tests": "The five financial tests",
    "system-plans": "System plans",
    "digital": "Digital",
    "icb-board": "ICB board",
    "integrated-care-partnership": "Integrated care partnership",
    "integrated-care-partnerships": "Integrated care partnerships",
    "board-governance": "Board governance",
}

#: Maturity matrix domains (Designing ICSs in England, June 2019, Annex 2), in the matrix's order.
MATRIX_DOMAINS = {
    "system-leadership": "System leadership, partnerships and change capability",
    "system-architecture": "System architecture and strong financial management and planning",
    "integrated-care-models": "Integrated care models",
    "track-record": "Track record of delivery",
    "coherent-population": "Coherent and defined population",
}

#: Domains whose bullets are the same at every stage of the matrix ('Coherent and defined population': "A
#: meaningful geographical footprint that respects patient flows", contiguity with local authority boundaries,
#: "Covers an existing STP of sufficient scale (~1m pop or more)" in all four columns).  Their rules are encoded
#: once, at the first stage; they are scored met / not met / not evidenced, never as a stage, and do not lower
#: the system's stage.
UNSTAGED_DOMAINS = ("coherent-population",)

#: The words of the matrix on designation, and where they are (Annex 2 of the Cambridgeshire and Peterborough STP
#: Board paper of 18 July 2019, which extracts the matrix).
DESIGNATION_QUOTE = "For a system to be formally named an ICS, they will need to meet the attributes of a maturing ICS"
MATRIX_SOURCE = "Designing integrated care systems (ICSs) in England (NHS England and NHS Improvement, June 2019), maturity matrix"
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

def domain_name(framework: str, domain: str | None, arrangement: str | None = None) -> str | None:
    """The name people read for a rule's domain (or, for an operating arrangement rule, its arrangement)."""
    if arrangement and arrangement in OPERATING_ARRANGEMENTS:
        return OPERATING_ARRANGEMENTS[arrangement]
    if not domain:
        return None
    for names in (MATRIX_DOMAINS, INTEGRATING_CARE_THEMES, OTHER_DOMAINS):
        if domain in names:
            return names[domain]
    return domain.replace("-", " ").replace("_", " ").capitalize()


def group_label(framework: str, domain: str | None, arrangement: str | None = None) -> str:
    """Where a rule belongs, in words: its framework and, where it has one, its domain or arrangement."""
    name = FRAMEWORK_NAMES.get(framework, framework)
    part = domain_name(framework, domain, arrangement)
    return f"{name} · {part}" if part else name


def group_order(framework: str, domain: str | None, arrangement: str | None = None) -> tuple:
    """The order reports list groups in: frameworks as listed above, domains in their framework's order."""
    frameworks = list(FRAMEWORK_NAMES)
    first = frameworks.index(framework) if framework in frameworks else len(frameworks)
    for names, key in ((MATRIX_DOMAINS, domain), (OPERATING_ARRANGEMENTS, arrangement), (INTEGRATING_CARE_THEMES, domain)):
        if key in names:
            return (first, list(names).index(key), "")
    return (first, len(MATRIX_DOMAINS) + len(INTEGRATING_CARE_THEMES), domain_name(framework, domain, arrangement) or "")


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

#: Themes of 'Integrating care: next steps' (section 2, and paras 1.12 and 4.23-4.25), used as rule domains.
INTEGRATING_CARE_THEMES = {
    "provider-collaboratives": "Provider collaboratives (paras 2.4-2.16)",
    "place-based-partnerships": "Place-based partnerships (paras 2.17-2.23)",
    "clinical-and-professional-leadership": "Clinical and professional leadership (paras 2.24-2.27)",
    "governance-and-accountability": "Governance and public accountability (paras 2.28-2.38)",
    "financial-framework": "Financial framework (paras 2.39-2.48)",
    "data-and-digital": "Data and digital (paras 2.49-2.51)",
    "regulation-and-oversight": "Regulation and oversight (paras 2.52-2.61)",
    "commissioning": "How commissioning will change (paras 2.62-2.67)",
    "collective-priorities": "Collective priorities and resources (para 1.12)",
    "system-development": "Preparing to operate as an ICS (paras 4.23-4.25)",
}

#: Freedoms and flexibilities for 2019-20 by stage (Designing ICSs in England, June 2019, Annex 2 of the
#: Cambridgeshire and Peterborough STP Board paper of 18 July 2019): what a system earns at each stage,
#: shown in reports as context, never checked.
FREEDOMS_SOURCE = (
    "Designing integrated care systems (ICSs) in England (NHS England and NHS Improvement, June 2019), "
    "freedoms and flexibilities for 2019-20"
)
FREEDOMS: dict[str, dict[str, list[str]]] = {'oversight': {'emerging': ['Systems can provide advice and guidance on individual organisations within the '
                            'system to support conversations',
                            'NHSEI will use a single performance, oversight and assessment framework'],
               'developing': ['Systems will develop and implement a plan to support ICS development, which '
                              'will be reviewed and agreed with NHSEI',
                              'NHSEI will invite system leadership to attend and contribute to discussions '
                              'relating to individual organisations within the system',
                              'NHSEI will consult the system position before any escalation action/ '
                              'intervention is approved and enacted through a single identified lead',
                              'NHSEI will align roles within the regions to support systems'],
               'maturing': ['ICSs will agree and implement system-wide objectives agreed with regional '
                            'teams, covering care quality and health outcomes, reductions in inequalities, '
                            'implementation of integrated care models and improvements in financial and '
                            'operational performance',
                            'ICSs will conduct and contribute to the assurance and improvement of individual '
                            'organisations performance',
                            'NHSEI will keep ad hoc data requests and routine reporting outside the '
                            'performance framework and agreed ICS objectives to a minimum, and coordinate '
                            'through an identified lead',
                            'NHSEI will not engage with individual Trusts or CCGs without the knowledge of '
                            'the ICS',
                            'NHSEI will co-locate regional roles within the ICS to provide bespoke support '
                            'requested by the ICS'],
               'thriving': ['ICSs will lead the assurance of all individual organisations',
                            'ICSs will agree and coordinate any trust or CCG intervention carried out by '
                            'NHSEI, other than in exceptional circumstances',
                            'ICSs will be able to lead and shape how gathering any data from individual '
                            'organisations is managed where required',
                            'NHSEI will agree a minimum dataset with ICSs',
                            'NHSEI will embed regional resources within the ICS to operate under the '
                            'direction of the ICS',
                            'NHSEI will undertake the least number of formal assurance meetings possible '
                            'with individual organisations']},
 'finance': {'emerging': [],
             'developing': ['STPs will demonstrate strong financial leadership and governance for financial '
                            'decision-making.'],
             'maturing': ['ICSs will take up the 19/20 ICS financial framework',
                          'ICSs will commit to delivering the objectives of the relevant national programmes '
                          'and report progress against this.',
                          'Appropriate governance arrangements to account for use of funds will be in place '
                          'before any funds are released',
                          'NHSEI will delegate authority for the direction of transformation funding from '
                          'national programmes to the system, where possible'],
             'thriving': ['ICSs will take up the 19/20 ICS financial framework']},
 'planning': {'emerging': ['Organisational financial recovery plans will be developed with the system '
                           'leaders to ensure consistency with five year system-level strategic plans, with '
                           'system efficiency plans overseen by a system efficiency board',
                           'NHSEI will lead review and assurance of organisational and system operating '
                           'plans.',
                           'NHSEI will work with the system to develop and strengthen these plans'],
              'developing': ['NHSEI will work in partnership with system leaders to review organisational '
                             'and system operating plans'],
              'maturing': ['Organisations that are in financial surplus will play an active role in the '
                           'development and delivery of financial recovery plans of organisations within '
                           'their ICS',
                           'NHSEI will support system leaders to assure organisational plans, and will work '
                           'in partnership with system leaders to ensure system operating plans are '
                           'sufficiently robust.'],
              'thriving': ['ICSs will lead assurance of organisational plans.',
                           'System operating plans will have a light touch review by the NHSEI']},
 'support': {'emerging': ['Intense support, regionally led and nationally coordinated'],
             'developing': ['Based on needs identified in development plan',
                            'ICS Accelerator Programme TBC',
                            'Access to regional and national subject-matter expertise where required'],
             'maturing': ['ICS Development Programme'],
             'thriving': ['ICS Development Programme',
                          'Expectation to work alongside regional and national teams to support less '
                          'developed systems']}}
