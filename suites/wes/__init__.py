"""GA4GH Workflow Execution Service (WES) 1.0.0, 1.0.1 and 1.1.0: service-info, the run list walked page by
page, run logs, status, tasks (1.1), errors, auth and the run state machine read-only; with ``writes: true``
and a ``submit`` block, a real run submitted as multipart/form-data, followed to its end and a second one
cancelled (the suite cancels whatever it started)."""

from conformance import Suite

_IDS = {"type": "array", "items": {"type": "string"}}

SUITE = Suite(
    standard="wes",
    title="GA4GH Workflow Execution Service (WES)",
    reference=".reference:APPS",
    versions=("1.0.0", "1.0.1", "1.1.0"),
    service_info_artifact="wes",
    # WES 1.0.0's ServiceInfo predates GA4GH service-info; of the two documents of the 1.0.1 release the
    # Swagger keeps the flat 1.0.0 ServiceInfo and the OpenAPI 3 one adds GA4GH service-info (allOf Service):
    # only 1.1.0 is judged by the shared service-info checks (erratum E1 in requirements.yaml).
    service_info_versions=">=1.1.0",
    api_prefix="/ga4gh/wes/v1",  # WES 1.0.0 Swagger basePath; 1.0.1 and 1.1.0 OpenAPI servers › url defaults
    service_options={
        "runs": {**_IDS, "description": "ids of runs the caller may read (optional: GET /runs is read too)"},
        "writes": {"type": "boolean",
                   "description": "true: the suite may submit runs (with `submit`) and cancel them; default false"},
        "submit": {
            "type": "object",
            "description": "the run request the suite submits when writes is true (WES RunRequest fields)",
            "properties": {
                "workflow_url": {"type": "string"},
                "workflow_type": {"type": "string"},
                "workflow_type_version": {"type": "string"},
                "workflow_params": {"type": "object"},
                "workflow_engine": {"type": "string"},
                "workflow_engine_version": {"type": "string"},
                "workflow_engine_parameters": {"type": "object"},
                "tags": {"type": "object"},
                "attachments": {"type": "object", "additionalProperties": {"type": "string"},
                                "description": "file name -> text content, sent as workflow_attachment parts"},
            },
            "required": ["workflow_url", "workflow_type", "workflow_type_version"],
        },
    },
)
