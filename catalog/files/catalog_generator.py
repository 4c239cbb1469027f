"""Plausible course catalogs of any size from a vocabulary, deterministic for a seed (demo data, benchmarks)."""

import random

from catalog.files.course_files import is_json_lines, write_records

# Per topic: subjects, course title templates, unit title templates, module title templates.
# "{x}" is the subject as written, "{X}" the subject in title case.
TOPICS = {
    "Data Science": (
        [
            "pandas",
            "statistics",
            "regression",
            "forecasting",
            "visualisation",
            "clustering",
            "experiments",
            "notebooks",
        ],
        ["Practical {X} for Analysts", "{X} in Practice", "Applied {X}", "{X} from First Principles", "Hands-on {X}"],
        [
            "Getting data in",
            "Cleaning messy data",
            "Exploring {x}",
            "Modelling with {x}",
            "Evaluating results",
            "Sharing findings",
        ],
        [
            "Reading files",
            "Handling missing values",
            "Grouping and aggregating",
            "Plotting distributions",
            "Choosing a metric",
            "Cross-validation",
            "Feature engineering",
            "Reporting uncertainty",
        ],
    ),
    "Web Development": (
        ["javascript", "css", "react", "django", "accessibility", "performance", "forms", "routing"],
        ["Modern {X} Essentials", "Building Apps with {X}", "{X} for Beginners", "Advanced {X}", "{X} Patterns"],
        ["Foundations", "Components", "State and data", "Talking to APIs", "Testing {x}", "Shipping to production"],
        [
            "Semantic markup",
            "Layout with grid",
            "Handling events",
            "Fetching data",
            "Form validation",
            "Caching headers",
            "Unit tests",
            "Deploying",
        ],
    ),
    "Databases": (
        ["sql", "postgresql", "indexing", "transactions", "schema design", "replication", "query plans", "redis"],
        ["Intro to {X}", "{X} Performance Tuning", "Mastering {X}", "{X} for Developers", "Practical {X}"],
        ["Basics", "Joining tables", "Indexes", "Transactions and locking", "Operating {x}", "Scaling out"],
        [
            "SELECT and WHERE",
            "Inner and outer joins",
            "GROUP BY",
            "B-tree indexes",
            "Isolation levels",
            "Reading EXPLAIN",
            "Vacuum and bloat",
            "Backups",
        ],
    ),
    "Cloud & DevOps": (
        [
            "docker",
            "kubernetes",
            "terraform",
            "ci pipelines",
            "observability",
            "incident response",
            "serverless",
            "networking",
        ],
        ["{X} Fundamentals", "{X} in Production", "Getting Started with {X}", "{X} for Teams", "Reliable {X}"],
        ["Core concepts", "Packaging", "Deploying", "Configuration", "Monitoring {x}", "Troubleshooting"],
        [
            "Writing a Dockerfile",
            "Pods and services",
            "Rolling updates",
            "Secrets",
            "Metrics and alerts",
            "Tracing requests",
            "Runbooks",
            "Postmortems",
        ],
    ),
    "Security": (
        [
            "web security",
            "cryptography",
            "identity",
            "threat modelling",
            "secure coding",
            "incident handling",
            "oauth",
            "tls",
        ],
        ["{X} Basics", "Applied {X}", "{X} for Engineers", "Defensive {X}", "{X} Workshop"],
        ["Threats", "Defences", "Authentication", "Secrets and keys", "Testing {x}", "Responding to incidents"],
        [
            "SQL injection",
            "Cross-site scripting",
            "CSRF tokens",
            "Password hashing",
            "Key rotation",
            "TLS certificates",
            "Access control",
            "Audit logging",
        ],
    ),
    "Design": (
        [
            "typography",
            "colour",
            "ux research",
            "design systems",
            "prototyping",
            "accessibility",
            "information architecture",
            "layout",
        ],
        ["{X} for the Web", "{X} in Practice", "Foundations of {X}", "{X} Workshop", "Better {X}"],
        ["Principles", "Research", "Structure", "Visual language", "Prototyping {x}", "Handing off"],
        [
            "Type scales",
            "Colour contrast",
            "User interviews",
            "Card sorting",
            "Design tokens",
            "Clickable prototypes",
            "Usability tests",
            "Documentation",
        ],
    ),
    "Product Management": (
        [
            "roadmaps",
            "discovery",
            "metrics",
            "prioritisation",
            "pricing",
            "stakeholder management",
            "launches",
            "user stories",
        ],
        ["{X} Essentials", "{X} for New Product Managers", "Practical {X}", "{X} that Works", "{X} Masterclass"],
        [
            "Why {x} matters",
            "Understanding users",
            "Setting goals",
            "Making decisions",
            "Working with teams",
            "Measuring outcomes",
        ],
        [
            "Writing a problem statement",
            "Interviewing customers",
            "Defining success metrics",
            "Opportunity trees",
            "Scoring ideas",
            "Writing user stories",
            "Running a launch",
            "Reviewing results",
        ],
    ),
}

LEVELS = ["short", "practical", "thorough", "project-based", "beginner-friendly", "hands-on"]
AUDIENCES = [
    "for working engineers",
    "for analysts who want to go further",
    "for people new to the field",
    "for teams adopting {x}",
    "for developers who already know the basics",
]
PROMISES = [
    "You will finish with a project you can show.",
    "Every module ends with an exercise.",
    "It takes about {hours} hours, at your own pace.",
    "It favours worked examples over theory.",
    "Quizzes after each unit check what stuck.",
]
CONTENT = [
    "A worked example of {m} with {x}, then an exercise.",
    "{M}, step by step, on a small {x} project.",
    "{M}: the common mistakes with {x} and how to avoid them.",
    "A short video on {m}, with notes and a quiz.",
    "Read, then practise {m} on the sample data set.",
]

# How a subject is written where it is not the start of a sentence (names and acronyms).
SPELLING = {
    "sql": "SQL",
    "css": "CSS",
    "postgresql": "PostgreSQL",
    "tls": "TLS",
    "oauth": "OAuth",
    "javascript": "JavaScript",
    "react": "React",
    "django": "Django",
    "redis": "Redis",
    "docker": "Docker",
    "kubernetes": "Kubernetes",
    "terraform": "Terraform",
    "ci pipelines": "CI pipelines",
    "ux research": "UX research",
}

PUBLISHED_SHARE, DRAFT_SHARE = 0.80, 0.12  # the rest (8%) archived
# A course's level and language, and its modules' minutes, drawn from a stream of their own (so the
# rest of a seed's catalog is what it was before they existed): (value, weight).
COURSE_LEVELS = [("beginner", 4), ("intermediate", 3), ("advanced", 2), (None, 1)]
COURSE_LANGUAGES = [("en", 14), ("es", 2), ("pt-BR", 2), ("de", 1), ("fr", 1)]
UNKNOWN_MINUTES_SHARE = 0.1


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _in_sentence(text: str) -> str:
    """'Reading files' -> 'reading files', but 'SQL injection' stays as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _fill(template: str, x: str, **more) -> str:
    x = SPELLING.get(x, x)
    text = template.replace("{X}", " ".join(_capitalised(w) for w in x.split())).replace("{x}", x)
    for key, value in more.items():
        text = text.replace("{" + key + "}", _in_sentence(value)).replace("{" + key.upper() + "}", _capitalised(value))
    return text


def generate(*, courses: int, units: int | None = None, modules: int | None = None, seed: int = 0):
    """Yield `courses` records: about 80% published, 12% draft, 8% archived.

    With `units`/`modules` every course has exactly that tree; otherwise each course gets 2 to 6 units
    of 2 to 5 modules, except some drafts that are still empty or have an empty unit. A published or
    archived course always has units, each with modules.
    """
    rng = random.Random(seed)
    meta = random.Random(f"{seed}-metadata")
    topics = list(TOPICS)
    for i in range(courses):
        topic = topics[rng.randrange(len(topics))]
        subjects, titles, unit_titles, module_titles = TOPICS[topic]
        x = rng.choice(subjects)
        title = _fill(rng.choice(titles), x)
        roll = rng.random()
        if roll < PUBLISHED_SHARE:
            status = "published"
        else:
            status = "draft" if roll < PUBLISHED_SHARE + DRAFT_SHARE else "archived"
        unit_count = units if units is not None else rng.randint(2, 6)
        if status == "draft" and units is None and rng.random() < 0.25:
            unit_count = rng.randint(0, 1)  # a draft somebody has only started
        record_units = []
        for u in range(unit_count):
            unit_title = _fill(unit_titles[u % len(unit_titles)], x)
            if u >= len(unit_titles):
                unit_title += f" {u // len(unit_titles) + 1}"
            module_count = modules if modules is not None else rng.randint(2, 5)
            if status == "draft" and modules is None and rng.random() < 0.1:
                module_count = 0
            picked = rng.sample(module_titles, k=min(module_count, len(module_titles)))
            record_modules = []
            for m in range(module_count):
                name = picked[m] if m < len(picked) else f"{rng.choice(module_titles)} {m + 1}"
                minutes = None if meta.random() < UNKNOWN_MINUTES_SHARE else meta.randrange(5, 50, 5)
                record_modules.append(
                    {"title": name, "content": _fill(rng.choice(CONTENT), x, m=name), "minutes": minutes}
                )
            record_units.append({"title": unit_title, "modules": record_modules})
        description = " ".join(
            [
                _fill(f"A {rng.choice(LEVELS)} course on {{x}} {rng.choice(AUDIENCES)}.", x),
                _fill(rng.choice(PROMISES), x, hours=str(rng.randint(2, 30))),
            ]
        )
        yield {
            "slug": f"{'-'.join(title.lower().replace('&', 'and').split())}-{i + 1}",
            "title": title,
            "description": description,
            "topic": topic,
            "level": _weighted(meta, COURSE_LEVELS),
            "language": _weighted(meta, COURSE_LANGUAGES),
            "status": status,
            "units": record_units,
        }


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def write(path: str, records) -> int:
    with open(path, "w", encoding="utf-8") as out:
        return write_records(out, records, lines=is_json_lines(path))
