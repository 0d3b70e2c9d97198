"""GA4GH Data Use Ontology (DUO): the data-use statements an initiative publishes, each term checked
against the declared DUO release (syntax, existence, obsolescence with the replacement, label) and each
data object's conditions (a permission among them, modifiers, a disease for disease-specific research)."""

from conformance import Suite

SUITE = Suite(
    standard="duo",
    title="GA4GH Data Use Ontology (DUO) terms",
    reference=".reference:APPS",
    # the DUO release the terms must come from (the ontology's owl:versionIRI date)
    versions=("2021-02-23",),
    data=True,
    service_options={
        "documents": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "JSON or YAML documents holding data-use statements (Beacon-style "
                                     "duoDataUse objects): http(s) URLs, drs:// URIs or paths relative "
                                     "to the profile file"},
        "newer_release": {"type": "string", "minLength": 1,
                          "description": "the duo.owl of a DUO release newer than the declared one (an http(s) "
                                         "URL or a path): terms may come from it, and terms it deprecates since "
                                         "the declared release are reported"},
    },
)
