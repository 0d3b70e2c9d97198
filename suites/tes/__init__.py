"""GA4GH Task Execution Service (TES) 1.0.0 and 1.1.0: service-info, the task views (MINIMAL, BASIC,
FULL), paged and filtered listing, tasks by id, states and timestamps; with ``writes: true`` a real task
submitted from the profile's ``submit``, polled to a terminal state, its logs, and cancellation."""

from conformance import Suite

SUITE = Suite(
    standard="tes",
    title="GA4GH Task Execution Service",
    reference=".reference:APPS",
    versions=("1.0.0", "1.1.0"),
    # TES 1.0 and 1.1 tesServiceType: artifact enum [tes].
    service_info_artifact="tes",
    probe_path="/service-info",
    api_prefix="/ga4gh/tes/v1",  # TES 1.0 and 1.1 OpenAPI: servers › url /ga4gh/tes/v1
    service_options={
        "tasks": {"type": "array", "items": {"type": "string"},
                  "description": "ids of tasks the service holds (optional: GET /tasks is read too)"},
        "writes": {"type": "boolean",
                   "description": "true: the suite may create tasks (from submit) and cancels what it created"},
        "poll_seconds": {"type": "number",
                         "description": "how long a created task may take to reach a final state (default 120)"},
        "submit": {"type": "object", "additionalProperties": True, "properties": {},
                   "description": "a tesTask document to POST to /tasks (only with writes: true), e.g. "
                                  "{executors: [{image: alpine, command: [echo, hello]}]}"},
    },
)
