"""Plausible course catalogs of any size, deterministic for a seed (demo data and benchmarks)."""
import random

from .importing import is_json_lines, write_records

TOPICS = {
    "Data Science": (
        ["pandas", "statistics", "regression", "forecasting", "visualisation", "clustering", "experiments", "notebooks"],
        ["Practical {x} for Analysts", "{X} in Practice", "Applied {x}", "{X} from First Principles", "Hands-on {x}"],
        ["Getting data in", "Cleaning messy data", "Exploring {x}", "Modelling with {x}", "Evaluating results", "Sharing findings"],
        ["Reading files", "Handling missing values", "Grouping and aggregating", "Plotting distributions", "Choosing a metric",
         "Cross-validation", "Feature engineering", "Reporting uncertainty"],
    ),
    "Web Development": (
        ["javascript", "css", "react", "django", "accessibility", "performance", "forms", "routing"],
        ["Modern {X} Essentials", "Building Apps with {X}", "{X} for Beginners", "Advanced {x}", "{X} Patterns"],
        ["Foundations", "Components", "State and data", "Talking to APIs", "Testing {x}", "Shipping to production"],
        ["Semantic markup", "Layout with grid", "Handling events", "Fetching data", "Form validation", "Caching headers",
         "Unit tests", "Deploying"],
    ),
    "Databases": (
        ["sql", "postgresql", "indexing", "transactions", "schema design", "replication", "query plans", "redis"],
        ["Intro to {X}", "{X} Performance Tuning", "Mastering {x}", "{X} for Developers", "Practical {x}"],
        ["Basics", "Joining tables", "Indexes", "Transactions and locking", "Operating {x}", "Scaling out"],
        ["SELECT and WHERE", "Inner and outer joins", "GROUP BY", "B-tree indexes", "Isolation levels", "Reading EXPLAIN",
         "Vacuum and bloat", "Backups"],
    ),
    "Cloud & DevOps": (
        ["docker", "kubernetes", "terraform", "ci pipelines", "observability", "incident response", "serverless", "networking"],
        ["{X} Fundamentals", "{X} in Production", "Getting Started with {x}", "{X} for Teams", "Reliable {x}"],
        ["Core concepts", "Packaging", "Deploying", "Configuration", "Monitoring {x}", "Troubleshooting"],
        ["Writing a Dockerfile", "Pods and services", "Rolling updates", "Secrets", "Metrics and alerts", "Tracing requests",
         "Runbooks", "Postmortems"],
    ),
    "Security": (
        ["web security", "cryptography", "identity", "threat modelling", "secure coding", "incident handling", "oauth", "tls"],
        ["{X} Basics", "Applied {x}", "{X} for Engineers", "Defensive {x}", "{X} Workshop"],
        ["Threats", "Defences", "Authentication", "Secrets and keys", "Testing {x}", "Responding to incidents"],
        ["SQL injection", "Cross-site scripting", "CSRF tokens", "Password hashing", "Key rotation", "TLS certificates",
         "Access control", "Audit logging"],
    ),
    "Design": (
        ["typography", "colour", "ux research", "design systems", "prototyping", "accessibility", "information architecture", "layout"],
        ["{X} for the Web", "{X} in Practice", "Foundations of {x}", "{X} Workshop", "Better {x}"],
        ["Principles", "Research", "Structure", "Visual language", "Prototyping {x}", "Handing off"],
        ["Type scales", "Colour contrast", "User interviews", "Card sorting", "Design tokens", "Clickable prototypes",
         "Usability tests", "Documentation"],
    ),
}


def _fill(template: str, word: str) -> str:
    return template.replace("{X}", word.title()).replace("{x}", word)


def generate(*, courses: int, units: int | None = None, modules: int | None = None, seed: int = 0):
    """Yield `courses` records; statuses about 80% published, 12% draft, 8% archived."""
    rng = random.Random(seed)
    topics = list(TOPICS)
    for i in range(courses):
        topic = topics[i % len(topics)]
        words, titles, unit_titles, module_titles = TOPICS[topic]
        word = rng.choice(words)
        title = _fill(rng.choice(titles), word)
        roll = rng.random()
        status = "published" if roll < 0.8 else "draft" if roll < 0.92 else "archived"
        unit_count = units if units is not None else rng.randint(2, 6)
        record_units = []
        for u in range(unit_count):
            module_count = modules if modules is not None else rng.randint(2, 5)
            record_units.append({
                "title": f"{_fill(unit_titles[u % len(unit_titles)], word)}" + (f" {u // len(unit_titles) + 1}" if u >= len(unit_titles) else ""),
                "modules": [
                    {
                        "title": rng.choice(module_titles) + f" ({m + 1})",
                        "content": f"{rng.choice(module_titles)}: a worked example about {word}, then an exercise.",
                    }
                    for m in range(module_count)
                ],
            })
        yield {
            "slug": f"{'-'.join(title.lower().replace('&', 'and').split())}-{i}",
            "title": title,
            "description": f"A {rng.choice(['short', 'practical', 'thorough', 'project-based'])} course on {word}: "
            f"{rng.choice(['from the basics to real projects', 'with exercises after every module', 'for working engineers', 'with a final project'])}.",
            "topic": topic,
            "status": status,
            "units": record_units,
        }


def write(path: str, records) -> int:
    with open(path, "w", encoding="utf-8") as out:
        return write_records(out, records, lines=is_json_lines(path))
