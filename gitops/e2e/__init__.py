"""End-to-end harness: real Kubernetes API server, real Flux, real helm (issue 7).

    bins = build.ensure_all(Repo.find())                  # pinned Go builds, cached per version
    with LocalBackend(bins, workdir=tmp) as cluster:      # or KindBackend(bins, tmp); both give a kubeconfig
        cluster.kubectl.apply_text(manifest)

The tests in tests/e2e drive these modules; `nox -s e2e` runs them.
"""
