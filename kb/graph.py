"""The knowledge base as one typed graph (networkx): claims, hypotheses, works (sources), studies,
models and confound types are nodes; links, provenance, models studied, confound threats and
hypothesis rivalry are edges. Dependence clusters for the aggregator come from it.

Node ids are `<type>:<id>` (`claim:…`, `hypothesis:…`, `source:…`, `study:…`, `model:…`,
`confound:…`); each node has a `type` attribute and each edge a `type` attribute."""

from __future__ import annotations

from typing import Any

import networkx as nx

from kb.store import KnowledgeBase
from kb.vocab import Missing


def node(kind: str, id: str) -> str:
    return f"{kind}:{id}"


def build_graph(kb: KnowledgeBase) -> Any:
    """A MultiDiGraph of the whole knowledge base. Edge types: link (claim -> hypothesis, with
    bearing and strength), origin and channel (claim -> source), study (claim -> study), studies
    (claim -> model), threatened-by (claim -> confound, with controlled), rival (hypothesis ->
    hypothesis)."""
    g = nx.MultiDiGraph()
    for hid, h in kb.hypotheses.items():
        g.add_node(node("hypothesis", hid), type="hypothesis", prior=h.prior)
    for sid in kb.sources:
        g.add_node(node("source", sid), type="source")
    for mid in kb.models:
        g.add_node(node("model", mid), type="model")
    for cid, ct in kb.confounds.items():
        g.add_node(node("confound", cid), type="confound", group=ct.group, severity=ct.severity.value)
    for hid, h in kb.hypotheses.items():
        for rival in h.rivals:
            g.add_edge(node("hypothesis", hid), node("hypothesis", rival), type="rival")
    for cid, c in kb.claims.items():
        me = node("claim", cid)
        g.add_node(me, type="claim", kind=c.kind.value, status=c.status.value)
        for link in c.links:
            g.add_edge(me, node("hypothesis", link.hypothesis), type="link", bearing=link.bearing.value, strength=link.strength.value)
        if not isinstance(c.provenance.origin, Missing):
            g.add_edge(me, node("source", c.provenance.origin), type="origin")
        g.add_edge(me, node("source", c.provenance.channel), type="channel")
        if c.provenance.study:
            g.add_node(node("study", c.provenance.study), type="study")
            g.add_edge(me, node("study", c.provenance.study), type="study")
        for m in c.models:
            g.add_edge(me, node("model", m.model), type="studies")
        for conf in c.confounds:
            g.add_edge(me, node("confound", conf.type), type="threatened-by", controlled=conf.controlled.value)
    return g


def _targets(g: Any, claim_node: str, edge_type: str) -> list[str]:
    return sorted(v for _, v, t in g.out_edges(claim_node, data="type") if t == edge_type)


def cluster_of(g: Any, claim_id: str) -> str:
    """The node a claim's evidence rests on: its study, else its origin work, else itself."""
    me = node("claim", claim_id)
    for edge_type in ("study", "origin"):
        found = _targets(g, me, edge_type)
        if found:
            return found[0]
    return me


def clusters(g: Any) -> dict[str, str]:
    """Cluster node of every claim, by claim id."""
    return {n.split(":", 1)[1]: cluster_of(g, n.split(":", 1)[1]) for n, t in g.nodes(data="type") if t == "claim"}


def rivals(g: Any, hypothesis_id: str) -> list[str]:
    """Hypotheses named as rivals of this one, in either direction."""
    me = node("hypothesis", hypothesis_id)
    out = {v for _, v, t in g.out_edges(me, data="type") if t == "rival"}
    into = {u for u, _, t in g.in_edges(me, data="type") if t == "rival"}
    return sorted(x.split(":", 1)[1] for x in out | into)
