"""The VRS object of a VariationDescriptor: the protobuf form Phenopackets 2.0 carries, turned into the VRS
JSON that the VRS suite's code checks.

Which VRS. Phenopackets 2.0 docs/variant.rst gives ``VariationDescriptor.variation`` the type "The VRS
``Variation`` object" (section "Variation", linking the unversioned VRS documentation). Its messages are
``org.ga4gh.vrs.v1`` of src/main/proto/ga4gh/vrs/v1/vrs.proto, a git submodule (ga4gh/vrs-protobuf) whose
file in the released tree is only the link text ``../../../../../vrs-protobuf/schema/vrs.proto``; the
official ``phenopackets`` package carries the compiled messages, and those are VRS 1.2's classes:
``CopyNumber`` (subject a MolecularVariation, Feature, SequenceExpression or CURIE; copies a Number or
range), ``SequenceState`` and ``SimpleInterval``, and none of VRS 1.3's ``CopyNumberCount``,
``CopyNumberChange`` or ``Genotype``. Erratum: the docs name no VRS version and the schema file of the
release is missing; the objects are therefore checked against VRS 1.2.1's official schema
(vrs/1.2.1/schema/vrs.json), which is the version the messages encode (VRS 1.3's schema has no
CopyNumber and would refuse a valid one).

The mapping (protobuf JSON form → VRS 1.2 JSON), message by message:

- ``Variation`` (a one-of wrapper, no VRS class) → the one object it sets, ``allele``, ``haplotype``,
  ``copyNumber``, ``text`` or ``variationSet``; likewise ``Haplotype.Member`` and ``VariationSet.Member``
  → the object or the ``curie`` string they set.
- Every other message → a VRS object whose ``type`` is the message's name (``Allele``,
  ``SequenceLocation``, ``SequenceInterval``, ``Number``, ``IndefiniteRange``, ``DefiniteRange``,
  ``SimpleInterval``, ``ChromosomeLocation``, ``CytobandInterval``, ``SequenceState``,
  ``LiteralSequenceExpression``, ``DerivedSequenceExpression``, ``RepeatedSequenceExpression``,
  ``Haplotype``, ``CopyNumber``, ``Gene``, ``Text``, ``VariationSet``): the VRS class names of vrs.json.
- A protobuf one-of is the VRS property of the one-of's name, holding the member that is set:
  ``Allele.location`` (``curie`` → the CURIE string, ``chromosomeLocation``, ``sequenceLocation``),
  ``Allele.state``, ``SequenceLocation.interval``, ``SequenceInterval.start``/``end``
  (``startNumber`` → ``start: {"type": "Number", ...}``...), ``RepeatedSequenceExpression.seq_expr`` and
  ``count``, ``CopyNumber.subject`` and ``copies``.
- Other fields keep their protobuf field name, which is VRS's property name (``_id``, whose JSON name
  in the protobuf mapping is ``Id``; ``sequence_id``, ``species_id``, ``chr``, ``gene_id``,
  ``reverse_complement``, ``definition``, ``comparator``, ``value``, ``min``, ``max``, ``start``, ``end``,
  ``sequence``, ``members``).
- proto3 gives a string no presence: an empty string outside a one-of is read as absent (the protobuf
  JSON mapping omits it too), so that a required one is reported missing by the schema; numbers and
  booleans are always present (0 and false are values). An unset message field is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from .model import Parsed

#: The VRS release whose classes the phenopackets messages encode, and its official schema.
VRS_VERSION = "1.2.1"
SCHEMA = "vrs/1.2.1/schema/vrs.json"
#: Wrapper messages: a one-of whose set member is the VRS value.
WRAPPERS = frozenset({"Variation", "Member"})


#: String fields VRS 1.2.1 requires whose empty value is valid, so that proto3's "" is written, not dropped:
#: a deletion's state is the empty sequence (vrs.json LiteralSequenceExpression and SequenceState: "required":
#: ["sequence", "type"]; Sequence: pattern "^[A-Z*\\-]*$", which matches "").
EMPTY_ALLOWED = frozenset({("LiteralSequenceExpression", "sequence"), ("SequenceState", "sequence")})


def to_vrs(message: Message) -> Any:
    """The VRS 1.2 JSON of a ``org.ga4gh.vrs.v1`` message (None for a wrapper that sets nothing)."""
    descriptor = message.DESCRIPTOR
    if descriptor.name in WRAPPERS:
        which = message.WhichOneof(descriptor.oneofs[0].name)
        return None if which is None else _value(message, descriptor.fields_by_name[which])
    obj: dict[str, Any] = {"type": descriptor.name}
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None:
            if message.WhichOneof(oneof.name) != field.name:
                continue
            obj[oneof.name] = _value(message, field)
        elif field.is_repeated:
            obj[field.name] = [to_vrs(item) for item in getattr(message, field.name)]
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if message.HasField(field.name):
                obj[field.name] = to_vrs(getattr(message, field.name))
        elif field.type == FieldDescriptor.TYPE_STRING:
            if getattr(message, field.name) or (descriptor.name, field.name) in EMPTY_ALLOWED:
                obj[field.name] = getattr(message, field.name)
        else:
            obj[field.name] = getattr(message, field.name)
    return obj


def _value(message: Message, field: FieldDescriptor) -> Any:
    value = getattr(message, field.name)
    return to_vrs(value) if field.type == FieldDescriptor.TYPE_MESSAGE else value


def variations(parsed: Parsed) -> Iterator[tuple[str, Any]]:
    """(JSON path of ``variation``, its VRS JSON) of every VariationDescriptor that carries a variation."""
    for path, descriptor in parsed.of_type("VariationDescriptor"):
        if descriptor.HasField("variation"):
            yield f"{path}.variation", to_vrs(descriptor.variation)


def stated_identifier(obj: Any) -> bool:
    """Whether ``obj`` or an object inside it states a ga4gh ``_id``."""
    if isinstance(obj, dict):
        stated = obj.get("_id")
        return (isinstance(stated, str) and stated.startswith("ga4gh:")) or any(
            stated_identifier(value) for value in obj.values())
    if isinstance(obj, list):
        return any(stated_identifier(item) for item in obj)
    return False
