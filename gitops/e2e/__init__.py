"""End-to-end harness: real Kubernetes API server, real Flux, real helm (issue 7).

bins = build.ensure_all(Repo.find())                  # pinned Go builds, cached per version
with LocalBackend(bins) as cluster:                   # or KindBackend(); both yield a kubeconfig
    Kubectl(bins.kubectl, cluster.kubeconfig).apply_text(manifest)
"""
