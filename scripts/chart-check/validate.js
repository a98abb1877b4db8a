// Validates manifests rendered by `helm template` (scripts/check-chart.sh): every object
// against its Kubernetes (or prometheus-operator) schema, offline, plus the chart's own
// properties that a schema cannot express. Usage:
//   node validate.js <node_modules dir> <values.yaml> <rendered.yaml>...   check renders
//   node validate.js <node_modules dir> --self-test <rendered.yaml>       mutate and expect failures
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const { pathToFileURL } = require('url');

const modules = path.resolve(process.argv[2]);
const yaml = createRequire(path.join(modules, 'x.js'))('js-yaml');

// kubernetes-models is ESM only: its API groups are imported once, before checking.
const groups = new Map();
async function preload(objects) {
  for (const { apiVersion } of objects) {
    if (!apiVersion || groups.has(apiVersion)) continue;
    const pkg = apiVersion.startsWith('monitoring.coreos.com/') ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
    const file = path.join(modules, pkg, apiVersion, 'index.js');
    groups.set(apiVersion, fs.existsSync(file) ? await import(pathToFileURL(file).href) : {});
  }
}

function modelFor(apiVersion, kind) {
  const Model = (groups.get(apiVersion) || {})[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return Model;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const component = (o) => (o.metadata.labels || {})['app.kubernetes.io/component'];
// Images scripts/build-images.sh produces (teeledger/<component>:<tag>).
const BUILT_IMAGES = new Set(['abci-app', 'registry-service', 'credit-service', 'attestation-service', 'tpm-sidecar',
  'verifier-agent', 'chain-indexer', 'cli']);
// Upstream images of the evaluation Kafka/PostgreSQL (evaluation.*), pinned by tag.
const PINNED_THIRD_PARTY = /^(apache\/kafka:\d+\.\d+\.\d+|postgres:\d+\.\d+-bookworm)$/;
const name = (o) => `${o.kind}/${o.metadata && o.metadata.name}`;
const matches = (selector, labels) =>
  Object.entries(selector || {}).every(([k, v]) => (labels || {})[k] === v);

// Returns the list of problems of one render (empty when it is fine).
function check(objects) {
  const problems = [];
  const bad = (o, msg) => problems.push(`${name(o)}: ${msg}`);
  const seen = new Set();
  for (const o of objects) {
    if (!o.apiVersion || !o.kind || !o.metadata || !o.metadata.name) {
      problems.push(`object without apiVersion/kind/name: ${JSON.stringify(o).slice(0, 80)}`);
      continue;
    }
    const key = `${o.apiVersion} ${name(o)}`;
    if (seen.has(key)) bad(o, 'rendered twice');
    seen.add(key);
    try {
      new (modelFor(o.apiVersion, o.kind))(o).validate();
    } catch (e) {
      bad(o, `schema: ${e.message.split('\n').slice(0, 3).join(' ')}`);
    }
    if (o.kind === 'Secret') bad(o, 'the chart must not create Secrets (credentials come from existing ones)');
  }
  const services = objects.filter((o) => o.kind === 'Service');
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  for (const w of workloads) {
    const pod = w.spec.template.spec;
    if (!matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) bad(w, 'selector does not match pod labels');
    for (const c of [...(pod.initContainers || []), ...pod.containers]) {
      const r = c.resources || {};
      for (const kind of ['requests', 'limits'])
        for (const res of ['cpu', 'memory'])
          if (!r[kind] || !r[kind][res]) bad(w, `container ${c.name} lacks resources.${kind}.${res}`);
      const sc = c.securityContext || {};
      if (sc.privileged) bad(w, `container ${c.name} is privileged`);
      if (sc.allowPrivilegeEscalation !== false) bad(w, `container ${c.name} allows privilege escalation`);
      if (!sc.capabilities || !(sc.capabilities.drop || []).includes('ALL')) bad(w, `container ${c.name} keeps capabilities`);
      for (const e of c.env || []) {
        if (/PASSWORD|SECRET|TOKEN|CREDENTIAL/i.test(e.name) && !(e.valueFrom && e.valueFrom.secretKeyRef))
          bad(w, `env ${e.name} of ${c.name} is not taken from a Secret`);
      }
    }
    for (const c of pod.containers) {
      for (const p of ['livenessProbe', 'readinessProbe'])
        if (!c[p]) bad(w, `container ${c.name} has no ${p}`);
      for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = c[p] && (c[p].httpGet || c[p].tcpSocket || {}).port;
        if (typeof port === 'string' && !(c.ports || []).some((cp) => cp.name === port))
          bad(w, `${p} of ${c.name} names unknown port ${port}`);
      }
    }
    if (pod.securityContext === undefined || pod.securityContext.runAsNonRoot !== true) bad(w, 'pod may run as root');
  }
  // Every pod (workloads and Jobs) runs a TEE Ledger image the build script produces, or a
  // pinned third-party image; Job pods follow the same security rules as workloads.
  const jobs = objects.filter((o) => o.kind === 'Job');
  for (const w of [...workloads, ...jobs]) {
    const pod = w.spec.template.spec;
    for (const c of [...(pod.initContainers || []), ...pod.containers]) {
      const m = /^[^/]+\/([a-z-]+):([\w.-]+)$/.exec(c.image || '');
      if (PINNED_THIRD_PARTY.test(c.image || '') && ['kafka', 'postgresql'].includes(component(w))) continue;
      if (!m || !BUILT_IMAGES.has(m[1])) bad(w, `container ${c.name} image ${c.image} is not one scripts/build-images.sh builds`);
    }
  }
  for (const j of jobs) {
    const pod = j.spec.template.spec;
    if (!pod.securityContext || pod.securityContext.runAsNonRoot !== true) bad(j, 'pod may run as root');
    for (const c of pod.containers) {
      const r = c.resources || {};
      if (!r.limits || !r.limits.cpu || !r.limits.memory) bad(j, `container ${c.name} lacks resource limits`);
      if ((c.securityContext || {}).allowPrivilegeEscalation !== false) bad(j, `container ${c.name} allows privilege escalation`);
    }
    // The genesis Job: a dedicated ServiceAccount bound to a least-privilege Role.
    const sa = pod.serviceAccountName;
    const binding = objects.find((o) => o.kind === 'RoleBinding' && (o.subjects || []).some((x) => x.kind === 'ServiceAccount' && x.name === sa));
    if (!sa || !objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa)) bad(j, 'no ServiceAccount of its own');
    else if (!binding) bad(j, `ServiceAccount ${sa} is not bound to a Role`);
    else {
      const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === binding.roleRef.name);
      if (!role) bad(binding, `Role ${binding.roleRef.name} is not rendered`);
      else for (const rule of role.rules) {
        const all = [...rule.verbs, ...rule.resources, ...(rule.apiGroups || [])];
        if (all.includes('*')) bad(role, 'wildcard in a rule');
        if (rule.resources.some((x) => x !== 'configmaps')) bad(role, `grants ${rule.resources} (only configmaps are needed)`);
        if (rule.verbs.some((v) => ['update', 'patch', 'delete', 'get'].includes(v)) && !(rule.resourceNames || []).length)
          bad(role, `${rule.verbs} on every ConfigMap (narrow with resourceNames)`);
        if (rule.verbs.some((v) => ['delete', 'deletecollection', 'watch', 'escalate', 'bind', 'impersonate'].includes(v))) bad(role, `needless verb in ${rule.verbs}`);
      }
    }
    for (const o of [j, ...objects.filter((x) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(x.kind) && x.metadata.name === sa)])
      if (!((o.metadata.annotations || {})['helm.sh/hook'] || '').includes('pre-install')) bad(o, 'not a pre-install hook (must exist before the validators)');
  }
  // Grafana dashboards parse and query TEE Ledger metrics.
  for (const cm of objects.filter((o) => o.kind === 'ConfigMap' && (o.metadata.labels || {}).grafana_dashboard)) {
    for (const [k, text] of Object.entries(cm.data || {})) {
      let d;
      try { d = JSON.parse(text); } catch (e) { bad(cm, `${k} is not JSON: ${e.message}`); continue; }
      const exprs = (d.panels || []).flatMap((p) => (p.targets || []).map((t) => t.expr || ''));
      if (!d.title || !d.uid || exprs.length === 0) bad(cm, `${k} has no title, uid or panel queries`);
      if (!exprs.some((e) => e.includes('teeledger_block_height'))) bad(cm, `${k} does not show the block height`);
    }
  }
  // DaemonSets run on HSM hosts only; the tpm-sidecar one: TPM char device, node-local exposure.
  for (const ds of workloads.filter((w) => w.kind === 'DaemonSet')) {
    const pod = ds.spec.template.spec;
    if (!pod.nodeSelector || Object.keys(pod.nodeSelector).length === 0) bad(ds, 'no nodeSelector');
    if (pod.hostNetwork) bad(ds, 'uses the host network');
  }
  for (const ds of workloads.filter((w) => w.kind === 'DaemonSet' && component(w) === 'tpm-sidecar')) {
    const pod = ds.spec.template.spec;
    const dev = (pod.volumes || []).find((v) => v.hostPath && v.hostPath.type === 'CharDevice' && v.hostPath.path === '/dev/tpmrm0');
    if (!dev) bad(ds, 'no CharDevice hostPath volume for /dev/tpmrm0');
    else if (!pod.containers.some((c) => (c.volumeMounts || []).some((m) => m.name === dev.name && m.mountPath === '/dev/tpmrm0')))
      bad(ds, '/dev/tpmrm0 is not mounted in a container');
    const svcs = services.filter((s) => matches(s.spec.selector, ds.spec.template.metadata.labels));
    if (svcs.length === 0) bad(ds, 'no Service');
    for (const s of svcs) if (s.spec.internalTrafficPolicy !== 'Local') bad(s, 'internalTrafficPolicy is not Local');
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && matches(o.spec.podSelector.matchLabels, ds.spec.template.metadata.labels));
    if (!np) bad(ds, 'no NetworkPolicy selects the sidecar pods');
    else if (!(np.spec.ingress || []).every((r) => (r.from || []).length > 0)) bad(np, 'an ingress rule admits everyone');
  }
  for (const sts of workloads.filter((w) => w.kind === 'StatefulSet')) {
    const svc = services.find((s) => s.metadata.name === sts.spec.serviceName);
    if (!svc || svc.spec.clusterIP !== 'None') bad(sts, `serviceName ${sts.spec.serviceName} is not a headless Service of the render`);
    if (!(sts.spec.volumeClaimTemplates || []).length) bad(sts, 'no volumeClaimTemplates');
  }
  // Services target named container ports of the pods they select.
  for (const s of services) {
    const pods = workloads.filter((w) => matches(s.spec.selector, w.spec.template.metadata.labels));
    if (pods.length === 0) bad(s, 'selects no workload of the render');
    for (const p of s.spec.ports) {
      const ok = pods.some((w) => w.spec.template.spec.containers.some((c) => (c.ports || []).some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)));
      if (!ok) bad(s, `port ${p.name} targets ${p.targetPort}, which no selected container exposes`);
    }
  }
  // Every component with a metrics port is scraped by some ServiceMonitor or PodMonitor.
  const monitors = objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor');
  if (monitors.length) {
    for (const s of services) {
      const scraped = monitors.some((m) => matches(m.spec.selector.matchLabels, m.kind === 'ServiceMonitor' ? s.metadata.labels : s.spec.selector));
      if (!scraped && s.spec.ports.some((p) => /metrics|http/.test(p.name))) bad(s, 'has a metrics port but no ServiceMonitor selects it');
    }
  }
  // A workload exposing a container port named metrics that no Service selects (the verifier
  // agents) is scraped by a PodMonitor on that port.
  if (monitors.length) {
    for (const w of workloads) {
      const labels = w.spec.template.metadata.labels || {};
      const hasMetrics = w.spec.template.spec.containers.some((c) => (c.ports || []).some((p) => p.name === 'metrics'));
      if (!hasMetrics || services.some((s) => s.spec.selector && matches(s.spec.selector, labels))) continue;
      const pm = monitors.filter((m) => m.kind === 'PodMonitor' && matches(m.spec.selector.matchLabels, labels));
      if (!pm.some((m) => m.spec.podMetricsEndpoints.some((e) => e.port === 'metrics'))) bad(w, 'has a metrics port but no PodMonitor scrapes it');
    }
  }
  // ServiceMonitors select rendered Services and their named ports.
  for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const svcs = services.filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    if (svcs.length === 0) bad(sm, 'selects no Service');
    for (const ep of sm.spec.endpoints)
      if (!svcs.some((s) => s.spec.ports.some((p) => p.name === ep.port))) bad(sm, `endpoint port ${ep.port} is not a port of a selected Service`);
  }
  for (const pr of objects.filter((o) => o.kind === 'PrometheusRule')) {
    const rules = pr.spec.groups.flatMap((g) => g.rules);
    const want = { TeeLedgerChainHalted: 'teeledger_block_height', TeeLedgerAttestationFailureRate: 'teeledger_attestation_rounds_total',
      TeeLedgerCreditAboveTrigger: 'teeledger_credit_total_supply' };
    if (workloads.some((w) => component(w) === 'tpm-sidecar')) want.TeeLedgerSidecarTpmUnreachable = 'teeledger_sidecar_tpm';
    if (workloads.some((w) => component(w) === 'chain-indexer')) want.TeeLedgerIndexerLag = 'teeledger_indexer_lag_blocks';
    for (const [alert, metric] of Object.entries(want)) {
      const r = rules.find((x) => x.alert === alert);
      if (!r) bad(pr, `alert ${alert} missing`);
      else if (!r.expr.includes(metric)) bad(pr, `alert ${alert} does not use ${metric}`);
    }
  }
  return problems;
}

// values.yaml must only reference credentials, never hold one.
function checkValues(file) {
  const problems = [];
  const walk = (v, at) => {
    if (v && typeof v === 'object') return Object.entries(v).forEach(([k, x]) => walk(x, at ? `${at}.${k}` : k));
    if (typeof v !== 'string' || v === '') return;
    const leaf = at.split('.').pop();
    if (/pass(word|wd)?$|^secret$|token|credential|private|apikey/i.test(leaf))
      problems.push(`${file}: ${at} holds a value; reference an existing Secret instead`);
    if (/-----BEGIN|:\/\/[^\/\s:@]+:[^\/\s@]+@/.test(v)) problems.push(`${file}: ${at} looks like a key or URL credential`);
    if (/^[A-Za-z0-9+\/]{40,}={0,2}$/.test(v)) problems.push(`${file}: ${at} looks like encoded key material`);
  };
  walk(yaml.load(fs.readFileSync(file, 'utf8')), '');
  return problems;
}

// Strict YAML: a duplicated key (e.g. a label written twice) is an error, as in kubectl.
function load(f) {
  try {
    return yaml.loadAll(fs.readFileSync(f, 'utf8')).filter((o) => o);
  } catch (e) {
    throw new Error(`${path.basename(f)}: ${e.reason || e.message} at line ${e.mark ? e.mark.line + 1 : '?'}`);
  }
}

async function selfTest(file) {
  await preload(load(file));
  const fresh = () => load(file);
  const find = (objs, kind) => objs.find((o) => o.kind === kind);
  const validator = (objs) => objs.find((o) => o.kind === 'StatefulSet' && component(o) === 'validator');
  const sidecar = (objs) => objs.find((o) => o.kind === 'DaemonSet' && component(o) === 'tpm-sidecar');
  const cases = {
    'DaemonSet without nodeSelector': (o) => { delete sidecar(o).spec.template.spec.nodeSelector; },
    'DaemonSet without TPM device': (o) => { sidecar(o).spec.template.spec.volumes.shift(); },
    'container without resources': (o) => { delete find(o, 'Deployment').spec.template.spec.containers[0].resources; },
    'container without readinessProbe': (o) => { delete validator(o).spec.template.spec.containers[1].readinessProbe; },
    'ServiceMonitor on a missing port': (o) => { find(o, 'ServiceMonitor').spec.endpoints[0].port = 'nope'; },
    'schema violation': (o) => { validator(o).spec.replicas = 'two'; },
    'sidecar Service not node-local': (o) => { o.filter((x) => x.kind === 'Service').forEach((s) => delete s.spec.internalTrafficPolicy); },
    'genesis Role reads Secrets': (o) => { find(o, 'Role').rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }); },
    'genesis Role updates any ConfigMap': (o) => { delete find(o, 'Role').rules[2].resourceNames; },
    'Job without a hook': (o) => { delete find(o, 'Job').metadata.annotations; },
    'indexer lag alert missing': (o) => { const pr = find(o, 'PrometheusRule'); pr.spec.groups = pr.spec.groups.filter((g) => g.name !== 'teeledger.indexer'); },
    'credit alert missing': (o) => { const g = find(o, 'PrometheusRule').spec.groups[0]; g.rules = g.rules.filter((r) => r.alert !== 'TeeLedgerCreditAboveTrigger'); },
    'dashboard is not JSON': (o) => { const cm = o.find((x) => x.kind === 'ConfigMap' && (x.metadata.labels || {}).grafana_dashboard); cm.data['teeledger.json'] = '{'; },
    'image the script does not build': (o) => { validator(o).spec.template.spec.containers[0].image = 'cometbft/cometbft:v0.38.25'; },
    'verifier-agent without nodeSelector': (o) => { o.filter((x) => x.kind === 'DaemonSet' && component(x) === 'verifier-agent').forEach((d) => delete d.spec.template.spec.nodeSelector); },
    'evaluation Kafka on a floating tag': (o) => { o.filter((x) => x.kind === 'StatefulSet' && component(x) === 'kafka').forEach((k) => { k.spec.template.spec.containers[0].image = 'apache/kafka:latest'; }); },
    'verifier-agent not scraped': (o) => { const i = o.findIndex((x) => x.kind === 'PodMonitor'); if (i >= 0) o.splice(i, 1); },
    'indexer not scraped': (o) => { o.splice(o.findIndex((x) => x.kind === 'ServiceMonitor' && x.metadata.name.endsWith('chain-indexer')), 1); },
    'password in plain env': (o) => { find(o, 'Deployment').spec.template.spec.containers[0].env.push({ name: 'DB_PASSWORD', value: 'x' }); },
  };
  let failed = 0;
  const base = check(fresh());
  if (base.length) { console.error('self-test base render has problems:\n  ' + base.join('\n  ')); return 1; }
  for (const [label, mutate] of Object.entries(cases)) {
    const objs = fresh();
    mutate(objs);
    const p = check(objs);
    if (p.length === 0) { console.error(`self-test: "${label}" was not detected`); failed++; }
  }
  const tmp = path.join(require('os').tmpdir(), `values-selftest-${process.pid}.yaml`);
  fs.writeFileSync(tmp, 'postgresql:\n  password: hunter2\n  url: jdbc:postgresql://u:pw@h/db\n');
  if (checkValues(tmp).length !== 2) { console.error('self-test: secret values not detected'); failed++; }
  fs.unlinkSync(tmp);
  console.log(`self-test: ${Object.keys(cases).length + 1} mutations, ${failed} undetected`);
  return failed ? 1 : 0;
}

async function main() {
  const args = process.argv.slice(3);
  if (args[0] === '--self-test') return await selfTest(args[1]);
  const [values, ...renders] = args;
  let problems = checkValues(values);
  for (const f of renders) {
    const objs = load(f);
    await preload(objs);
    const p = check(objs);
    console.log(`${path.basename(f)}: ${objs.length} objects, ${p.length} problems`);
    problems = problems.concat(p.map((x) => `${path.basename(f)}: ${x}`));
  }
  if (problems.length) { console.error(problems.join('\n')); return 1; }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(process.env.DEBUG ? e.stack : e.message); process.exitCode = 1; });
