#!/usr/bin/env bash
# Checks deploy/cluster/ as far as a machine without a cluster can: no Spark, YARN, Kubernetes,
# Docker, Maven or Java is run. Prints one line per check ("ok", "FAIL" or "skip" and what) and
# exits 1 when any check failed.
#
#   deploy/cluster/validate.sh
#
# What it checks:
#   - every .sh here: `bash -n` and the executable bit (shellcheck too, when installed), but
#     common.sh, which the three submit-train.sh source and nothing runs, needs no executable bit;
#   - every .yaml parses (PyYAML; Debian: apt-get install python3-yaml) and every .xml (stdlib);
#   - the Dockerfile: each COPY source exists in the repository or its build output, and is not
#     excluded by Dockerfile.dockerignore; both targets create the /opt/alexnet paths;
#   - every /opt/alexnet path the Kubernetes submit script and pod templates name is one the
#     Dockerfile creates (in both targets) or a volume the templates mount;
#   - the pieces agree: container names, the ConfigMap, the NetworkPolicy's label and ports, the
#     GPU amount, /dev/shm sizes against the parameter server's term buffers (its constants read
#     from the Java sources), memory against YARN's container limit, the ports firewall.md names,
#     the daemons' security settings against conf/spark-defaults.conf, repository paths the
#     scripts use, and README.md naming every file.
# A build output that cannot exist here (the CUDA job jar: `mvn -Pcuda` is not run here) is a skip.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

FAILS=0
SKIPS=0
ok()   { echo "ok    $*"; }
fail() { echo "FAIL  $*"; FAILS=$((FAILS + 1)); }
skip() { echo "skip  $*"; SKIPS=$((SKIPS + 1)); }

# ---- shell scripts: syntax and the executable bit
while IFS= read -r -d '' f; do
  rel="${f#"$ROOT"/}"
  if out="$(bash -n "$f" 2>&1)"; then ok "bash -n $rel"; else fail "bash -n $rel: $out"; fi
  if [[ "$f" == "$HERE/common.sh" ]]; then ok "sourced, not run: $rel (no executable bit needed)"
  elif [[ -x "$f" ]]; then ok "executable $rel"; else fail "not executable: $rel (chmod +x)"; fi
done < <(find "$HERE" -name '*.sh' -print0 | sort -z)

if command -v shellcheck >/dev/null 2>&1; then
  while IFS= read -r -d '' f; do
    rel="${f#"$ROOT"/}"
    if out="$(shellcheck -S warning "$f" 2>&1)"; then ok "shellcheck $rel"; else fail "shellcheck $rel:"$'\n'"$out"; fi
  done < <(find "$HERE" -name '*.sh' -print0 | sort -z)
else
  skip "shellcheck: not installed"
fi

# ---- everything else, in Python (stdlib, plus PyYAML for the YAML files)
if ! command -v python3 >/dev/null 2>&1; then
  fail "python3 not found: the YAML, XML, Dockerfile and cross-file checks cannot run"
else
  PY_OUT="$(python3 - "$ROOT" "$HERE" 2>&1 <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET

ROOT, HERE = sys.argv[1], sys.argv[2]
rel = lambda p: os.path.relpath(p, ROOT)
def ok(msg):   print("ok    " + msg)
def fail(msg): print("FAIL  " + msg)
def skip(msg): print("skip  " + msg)
def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()
def check(cond, good, bad):
    (ok if cond else fail)(good if cond else bad)
    return cond

K8S = os.path.join(HERE, "kubernetes")
SCRIPTS = {name: os.path.join(HERE, name, "submit-train.sh") for name in ("standalone", "yarn", "kubernetes")}
COMMON = os.path.join(HERE, "common.sh")  # sourced by every SCRIPTS entry (checked below)

def default(script, var):
    """The default of VAR="${VAR:-default}" in a script or, failing that, in common.sh, or None.
    A script overrides a common default by setting VAR before it sources common.sh."""
    for path in (script, COMMON):
        m = re.search(r'^%s="\$\{%s:-(.*)\}"\s*$' % (var, var), read(path), re.M)
        if m:
            return m.group(1)
    return None

def size_bytes(text):
    """Kubernetes (2Gi, 512Mi) and Spark/JVM (8g, 512m) sizes in bytes."""
    m = re.fullmatch(r"(\d+)\s*(Ki|Mi|Gi|Ti|k|m|g|t)?", str(text).strip(), re.I)
    if not m:
        raise ValueError("not a size: %r" % text)
    unit = (m.group(2) or "").lower().rstrip("i")
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[unit]

MiB = 1 << 20

# ---------------------------------------------------------------- YAML
try:
    import yaml
except ImportError:
    yaml = None
docs = {}
yaml_files = sorted(glob.glob(os.path.join(HERE, "**", "*.yaml"), recursive=True))
if yaml is None:
    skip("YAML parsing and the checks that need it: PyYAML missing (Debian: apt-get install python3-yaml)")
else:
    for path in yaml_files:
        try:
            loaded = [d for d in yaml.safe_load_all(read(path)) if d is not None]
            if len(loaded) != 1 or not isinstance(loaded[0], dict) or "kind" not in loaded[0] or "apiVersion" not in loaded[0]:
                fail("%s: expected one Kubernetes object with apiVersion and kind" % rel(path))
            else:
                docs[os.path.basename(path)] = loaded[0]
                ok("YAML %s parses (%s %s)" % (rel(path), loaded[0]["apiVersion"], loaded[0]["kind"]))
        except yaml.YAMLError as e:
            fail("YAML %s: %s" % (rel(path), str(e).replace("\n", " ")))

# ---------------------------------------------------------------- XML
for path in sorted(glob.glob(os.path.join(HERE, "**", "*.xml"), recursive=True)):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        fail("XML %s: %s" % (rel(path), e))
        continue
    props = tree.getroot().iter("property")
    bad = [p for p in props if p.find("name") is None or p.find("value") is None]
    check(not bad, "XML %s parses, every <property> has <name> and <value>" % rel(path),
          "XML %s: %d <property> without <name> or <value>" % (rel(path), len(bad)))

# ---------------------------------------------------------------- Dockerfile
DOCKERFILE = os.path.join(K8S, "Dockerfile")
IGNORE = os.path.join(K8S, "Dockerfile.dockerignore")

def docker_pattern(p):
    """A .dockerignore / COPY pattern as a regex: * and ? do not cross '/', ** does."""
    out, i = "", 0
    while i < len(p):
        if p.startswith("**", i):
            out += ".*"; i += 2
        elif p[i] == "*":
            out += "[^/]*"; i += 1
        elif p[i] == "?":
            out += "[^/]"; i += 1
        else:
            out += re.escape(p[i]); i += 1
    return re.compile(out + r"\Z")

ignore_rules = []
for line in read(IGNORE).splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        neg = line.startswith("!")
        pat = os.path.normpath(line[1:] if neg else line).lstrip("/")
        ignore_rules.append((neg, docker_pattern(pat)))

def ignored(path):
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    state = False
    for neg, rx in ignore_rules:
        if any(rx.match(p) for p in prefixes):
            state = not neg
    return state

# Instructions, continuation lines joined, comments dropped.
instructions, buf = [], ""
for line in read(DOCKERFILE).splitlines():
    if not buf and line.lstrip().startswith("#"):
        continue
    if line.rstrip().endswith("\\"):
        buf += line.rstrip()[:-1] + " "
        continue
    buf += line
    if buf.strip():
        instructions.append(buf.strip())
    buf = ""

global_args, stages, stage = {}, {}, None
def expand(text, args):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), text)

for ins in instructions:
    word, _, rest = ins.partition(" ")
    word = word.upper()
    if word == "ARG":
        name, _, value = rest.strip().partition("=")
        (stage["args"] if stage else global_args)[name] = value.strip().strip('"')
    elif word == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.I)
        stage = {"name": m.group(2) or str(len(stages)), "args": {}, "created": set(), "dirs": set()}
        stages[stage["name"]] = stage
    elif word in ("COPY", "ADD") and stage is not None:
        tokens = rest.split()
        flags = [t for t in tokens if t.startswith("--")]
        paths = [t for t in tokens if not t.startswith("--")]
        args = dict(global_args, **stage["args"])
        dest = expand(paths[-1], args)
        sources = [expand(s, args) for s in paths[:-1]]
        if any(f.startswith("--from=") for f in flags):
            for s in sources:  # from another image: record what lands where
                stage["created"].add(dest.rstrip("/") + "/" + os.path.basename(s) if dest.endswith("/") else dest)
            continue
        for src in sources:
            matches = sorted(glob.glob(os.path.join(ROOT, src.rstrip("/"))))
            where = "Dockerfile %s: COPY %s" % (stage["name"], src)
            if not matches:
                if "target-cuda/" in src:
                    skip("%s: no CUDA build here (mvn -Pcuda -DskipTests package is not run on this machine)" % where)
                elif "/target/" in src:
                    fail("%s: no such build output (mvn -DskipTests package)" % where)
                else:
                    fail("%s: no such file in the repository" % where)
            elif len(matches) > 1 and not dest.endswith("/"):
                fail("%s: %d files match one destination file %s" % (where, len(matches), dest))
            else:
                hidden = [rel(m) for m in matches if ignored(rel(m))]
                if hidden:
                    fail("%s: excluded by Dockerfile.dockerignore: %s" % (where, ", ".join(hidden)))
                else:
                    ok("%s -> %s (%s)" % (where, dest, ", ".join(rel(m) for m in matches)))
            # What the instruction creates in the image.
            if src.endswith("/") or (matches and os.path.isdir(matches[0])):
                base = dest.rstrip("/")
                stage["dirs"].add(base)
                for m in matches:
                    for dirpath, _, files in os.walk(m):
                        for f in files:
                            stage["created"].add(base + "/" + os.path.relpath(os.path.join(dirpath, f), m))
            else:
                stage["created"].add(dest if not dest.endswith("/") else dest + os.path.basename(src))

IMAGE_STAGES = [s for s in ("cpu", "gpu") if s in stages]
check(IMAGE_STAGES == ["cpu", "gpu"], "Dockerfile has the targets cpu and gpu",
      "Dockerfile: expected targets cpu and gpu, found %s" % sorted(stages))
for name in IMAGE_STAGES:
    st = stages[name]
    for need in ("/opt/alexnet/alexnet-trainer-job.jar", "/opt/alexnet/discover-gpus.sh", "/opt/alexnet/conf/spark-defaults.conf",
                 "/opt/alexnet/conf/jvm.options"):
        check(need in st["created"], "Dockerfile %s creates %s" % (name, need), "Dockerfile %s does not create %s" % (name, need))
if "gpu" in stages:
    check("/opt/entrypoint.sh" in stages["gpu"]["created"], "Dockerfile gpu takes Spark's /opt/entrypoint.sh",
          "Dockerfile gpu: no /opt/entrypoint.sh (Spark's entrypoint) copied")

def in_image(path):
    """Created by every image target: a file, or a directory or a file under one."""
    p = path.rstrip("/")
    for name in IMAGE_STAGES:
        st = stages[name]
        if p in st["created"] or p in st["dirs"] or any(p.startswith(d + "/") for d in st["dirs"]):
            continue
        return False
    return bool(IMAGE_STAGES)

# ---------------------------------------------------------------- /opt/alexnet paths
mounts = set()
for name in ("driver-pod-template.yaml", "executor-pod-template.yaml"):
    if name in docs:
        for c in docs[name]["spec"].get("containers", []):
            mounts.update(v["mountPath"].rstrip("/") for v in c.get("volumeMounts", []))
    else:
        mounts.update(m.rstrip("/") for m in re.findall(r"mountPath:\s*(\S+)", read(os.path.join(K8S, name))))
for path in [SCRIPTS["kubernetes"]] + sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
    for ref in sorted(set(m.rstrip(".") for m in re.findall(r"/opt/alexnet(?:/[\w.-]+)*/?", read(path)))):
        p = ref.rstrip("/")
        if p == "/opt/alexnet":
            continue
        mounted = any(p == m or p.startswith(m + "/") for m in mounts)
        check(in_image(p) or mounted,
              "%s names %s: %s" % (rel(path), ref, "in the image" if in_image(p) else "a mounted volume"),
              "%s names %s: neither created by the Dockerfile (cpu and gpu) nor mounted by a pod template" % (rel(path), ref))
k8s_script = read(SCRIPTS["kubernetes"])
check('IMAGE_JOB_JAR="local:///opt/alexnet/alexnet-trainer-job.jar"' in k8s_script and '"$IMAGE_JOB_JAR"' in k8s_script,
      "kubernetes/submit-train.sh submits local:///opt/alexnet/alexnet-trainer-job.jar",
      "kubernetes/submit-train.sh does not submit the image's job jar (local:///opt/alexnet/alexnet-trainer-job.jar)")

# ---------------------------------------------------------------- the launchers source common.sh
SOURCE_COMMON = 'source "$ROOT/deploy/cluster/common.sh"'
for name, script in SCRIPTS.items():
    check(SOURCE_COMMON in [line.strip() for line in read(script).splitlines()],
          "%s/submit-train.sh sources common.sh (the defaults read from it below)" % name,
          "%s/submit-train.sh does not source common.sh: its memory, placement and port defaults are missing" % name)

# ---------------------------------------------------------------- repository paths the scripts use
for path in sorted(glob.glob(os.path.join(HERE, "**", "*.sh"), recursive=True)):
    for ref in sorted(set(re.findall(r'\$ROOT/([\w./-]+)', read(path)))):
        if "*" in ref or ref.startswith("modules/"):
            continue  # build outputs: checked above (Dockerfile) and by the scripts themselves
        check(os.path.exists(os.path.join(ROOT, ref)), "%s uses %s: exists" % (rel(path), ref),
              "%s uses %s: no such file in the repository" % (rel(path), ref))

# ---------------------------------------------------------------- the parameter server's numbers
ps_conf = read(os.path.join(ROOT, "conf", "alexnet.conf"))
ps_block = ps_conf[ps_conf.index("\nparamserver {"):]
PS_PORT = int(re.search(r"^\s*port\s*=\s*(\d+)", ps_block, re.M).group(1))
PS_SHARDS = int(re.search(r"^\s*shards\s*=\s*(\d+)", ps_block, re.M).group(1))
ok("conf/alexnet.conf: paramserver.port %d, shards %d" % (PS_PORT, PS_SHARDS))

PS_SRC = os.path.join(ROOT, "modules", "paramserver", "src", "main", "java", "io", "alexnetspark", "paramserver")
def java_const(file, name):
    m = re.search(r"\b%s\s*=\s*([0-9L*<\s]+);" % name, read(os.path.join(PS_SRC, file)))
    if not m:
        raise LookupError("%s.%s" % (file, name))
    return eval(m.group(1).replace("L", ""), {"__builtins__": {}})
try:
    TERM = java_const("Channel.java", "DEFAULT_TERM_LENGTH")
    LOG_META = java_const("AeronConnection.java", "LOG_META_BYTES")
    DRIVER_FILES = java_const("AeronConnection.java", "DRIVER_FILES_BYTES")
    formulas = [("AeronConnection.java", "(3L * termLength + LOG_META_BYTES)"),
                ("ParameterServer.java", "servedShards * 2 * (workers + 1)"),
                ("ParameterClient.java", "logBytes(2 * shards,")]
    missing = [f + ": " + s for f, s in formulas if s not in read(os.path.join(PS_SRC, f))]
    if missing:
        raise LookupError("; ".join(missing))
    ok("Aeron sizing from the sources: term %d MB, log metadata %d KB, driver files %d MB"
       % (TERM // MiB, LOG_META // 1024, DRIVER_FILES // MiB))
except (LookupError, OSError) as e:
    TERM = None
    fail("the parameter server's sizing code moved or changed (%s): recheck the /dev/shm sizes" % e)

def shm_need(logs):
    return logs * (3 * TERM + LOG_META) + DRIVER_FILES

# ---------------------------------------------------------------- Kubernetes pieces
if yaml is not None and {"driver-pod-template.yaml", "executor-pod-template.yaml", "network-policy.yaml"} <= set(docs):
    replicas = int(default(SCRIPTS["kubernetes"], "REPLICAS"))
    executors_placement = replicas > 4  # the scripts' rule
    for name, role, shm_logs in (
            ("driver-pod-template.yaml", "driver", 2 * PS_SHARDS * (4 + 1)),  # placement=driver: at most 4 replicas
            ("executor-pod-template.yaml", "executor",
             max(2 * (replicas + 1), 2 * replicas) if executors_placement else 2 * PS_SHARDS)):
        spec = docs[name]["spec"]
        containers = spec.get("containers", [])
        want = re.search(r"spark\.kubernetes\.%s\.podTemplateContainerName=(\S+)" % role, k8s_script).group(1)
        check(len(containers) == 1 and containers[0].get("name") == want,
              "%s: one container, %s (= submit-train.sh)" % (name, want),
              "%s: expected one container named %s (submit-train.sh)" % (name, want))
        check(spec.get("hostNetwork") is False, "%s: hostNetwork false" % name, "%s: hostNetwork must be false" % name)
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        shm = [m for c in containers for m in c.get("volumeMounts", []) if m["mountPath"] == "/dev/shm"]
        vol = volumes.get(shm[0]["name"]) if shm else None
        if not (vol and vol.get("emptyDir", {}).get("medium") == "Memory"):
            fail("%s: /dev/shm must be a memory-backed emptyDir (Aeron's term buffers)" % name)
        elif TERM is not None:
            have = size_bytes(vol["emptyDir"].get("sizeLimit", "0"))
            need = shm_need(shm_logs)
            check(have >= need,
                  "%s: /dev/shm %s >= %d MB the parameter server checks for at start (%d logs)" % (name, vol["emptyDir"]["sizeLimit"], need // MiB, shm_logs),
                  "%s: /dev/shm %s < %d MB the parameter server needs at start (%d logs)" % (name, vol["emptyDir"].get("sizeLimit"), need // MiB, shm_logs))
        ports = {(p.get("containerPort"), p.get("protocol")) for c in containers for p in c.get("ports", [])}
        check((PS_PORT, "UDP") in ports, "%s: declares UDP %d (paramserver.port)" % (name, PS_PORT),
              "%s: does not declare UDP %d (paramserver.port)" % (name, PS_PORT))
    # The executor's GPU limit against the script's amount.
    ex = docs["executor-pod-template.yaml"]["spec"]["containers"][0].get("resources", {})
    amount = re.search(r"spark\.executor\.resource\.gpu\.amount=(\d+)", k8s_script).group(1)
    check(str(ex.get("limits", {}).get("nvidia.com/gpu")) == amount and str(ex.get("requests", {}).get("nvidia.com/gpu", amount)) == amount,
          "executor-pod-template.yaml: nvidia.com/gpu %s (= spark.executor.resource.gpu.amount)" % amount,
          "executor-pod-template.yaml: nvidia.com/gpu differs from spark.executor.resource.gpu.amount=%s" % amount)
    # The ConfigMap the driver mounts.
    dspec = docs["driver-pod-template.yaml"]["spec"]
    cms = [v for v in dspec.get("volumes", []) if "configMap" in v]
    cm_mount = [m["mountPath"] for c in dspec["containers"] for m in c.get("volumeMounts", []) if cms and m["name"] == cms[0]["name"]]
    check(len(cms) == 1 and cms[0]["configMap"]["name"] == default(SCRIPTS["kubernetes"], "CONFIG_MAP")
          and cm_mount == [re.search(r'IMAGE_JOB_CONF_DIR="([^"]+)"', k8s_script).group(1)],
          "driver-pod-template.yaml: mounts ConfigMap %s where submit-train.sh reads the config" % default(SCRIPTS["kubernetes"], "CONFIG_MAP"),
          "driver-pod-template.yaml: its ConfigMap volume or mount path differs from submit-train.sh (CONFIG_MAP, IMAGE_JOB_CONF_DIR)")
    # The NetworkPolicy: the label the script sets, Spark's ports, the parameter server's.
    np = docs["network-policy.yaml"]["spec"]
    label = default(SCRIPTS["kubernetes"], "JOB_LABEL")
    key = re.search(r"spark\.kubernetes\.driver\.label\.([\w.-]+)=", k8s_script).group(1)
    selectors = [np["podSelector"]] + [f["podSelector"] for r in np.get("ingress", []) for f in r.get("from", [])]
    check(all(s.get("matchLabels") == {key: label} for s in selectors) and
          re.search(r"spark\.kubernetes\.executor\.label\.%s=" % re.escape(key), k8s_script),
          "network-policy.yaml: selects and admits only %s=%s, the label submit-train.sh sets" % (key, label),
          "network-policy.yaml: its selectors differ from the label submit-train.sh sets (%s=%s)" % (key, label))
    rules = [(p.get("protocol"), p["port"], p.get("endPort", p["port"])) for r in np.get("ingress", []) for p in r.get("ports", [])]
    def opens(proto, lo, hi):
        return any(pr == proto and a <= lo and hi <= b for pr, a, b in rules)
    spark_ports = sorted({int(v) for v in re.findall(r"spark\.(?:driver\.port|driver\.blockManager\.port|blockManager\.port)=(\d+)", k8s_script)})
    check(spark_ports and all(opens("TCP", p, p) for p in spark_ports),
          "network-policy.yaml: opens TCP %s (the Spark ports submit-train.sh fixes)" % spark_ports,
          "network-policy.yaml: does not open the Spark ports submit-train.sh fixes: %s" % spark_ports)
    check(opens("UDP", PS_PORT, PS_PORT + 2 * max(replicas, PS_SHARDS) - 1) and opens("UDP", 32768, 60999),
          "network-policy.yaml: opens UDP %d-%d (shards) and 32768-60999 (the replicas' ephemeral ports)" % (PS_PORT, PS_PORT + 2 * max(replicas, PS_SHARDS) - 1),
          "network-policy.yaml: does not open UDP %d-%d and 32768-60999" % (PS_PORT, PS_PORT + 2 * max(replicas, PS_SHARDS) - 1))
elif yaml is not None:
    fail("kubernetes/: a pod template or network-policy.yaml did not parse; their cross-checks did not run")

# ---------------------------------------------------------------- memory, YARN, firewall, daemons
for name, script in SCRIPTS.items():
    heap, over = default(script, "EXECUTOR_MEMORY"), default(script, "EXECUTOR_OVERHEAD")
    phys = default(script, "ND4J_MAXPHYSICALBYTES")
    check(size_bytes(phys) < size_bytes(heap) + size_bytes(over),
          "%s/submit-train.sh: JavaCPP maxphysicalbytes %s < heap %s + overhead %s" % (name, phys, heap, over),
          "%s/submit-train.sh: JavaCPP maxphysicalbytes %s must stay below heap %s + overhead %s" % (name, phys, heap, over))
try:
    yarn_xml = ET.parse(os.path.join(HERE, "yarn", "yarn-gpu-snippets.xml"))
    max_mb = [int(p.findtext("value")) for p in yarn_xml.iter("property") if p.findtext("name") == "yarn.scheduler.maximum-allocation-mb"]
except (ET.ParseError, ValueError):
    max_mb = []  # the parse failure is reported above
container = max(size_bytes(default(SCRIPTS["yarn"], a)) + size_bytes(default(SCRIPTS["yarn"], b))
                for a, b in (("EXECUTOR_MEMORY", "EXECUTOR_OVERHEAD"), ("DRIVER_MEMORY", "DRIVER_OVERHEAD")))
check(max_mb and max_mb[0] * MiB >= container,
      "yarn-gpu-snippets.xml: maximum-allocation-mb %s >= the largest container (%d MB)" % (max_mb[0] if max_mb else "?", container // MiB),
      "yarn-gpu-snippets.xml: maximum-allocation-mb %s is below the largest container submit-train.sh asks for (%d MB)" % (max_mb, container // MiB))

firewall = read(os.path.join(HERE, "firewall.md"))
for name in ("standalone", "yarn"):
    s = SCRIPTS[name]
    retries = int(default(s, "PORT_MAX_RETRIES"))
    for var in ("DRIVER_PORT", "BLOCK_MANAGER_PORT"):
        port = int(default(s, var))
        span = "%d–%d" % (port, port + retries)
        check(span in firewall and ("%d:%d" % (port, port + retries)) in firewall,
              "firewall.md names %s (%s %s + spark.port.maxRetries %d)" % (span, name, var, retries),
              "firewall.md does not name %s (%s/submit-train.sh %s + maxRetries), in its table and its rules" % (span, name, var))
check(str(PS_PORT) in firewall and "32768" in firewall, "firewall.md names paramserver.port %d and the ephemeral range" % PS_PORT,
      "firewall.md does not name paramserver.port %d or the ephemeral UDP range" % PS_PORT)

def props(path):
    out = {}
    for line in read(path).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            k, _, v = line.partition(" ")
            out[k] = v.strip()
    return out
app, daemons = props(os.path.join(ROOT, "conf", "spark-defaults.conf")), props(os.path.join(HERE, "standalone", "spark-defaults.daemons.conf"))
for k in ("spark.authenticate", "spark.network.crypto.enabled", "spark.network.crypto.saslFallback"):
    check(daemons.get(k) == app.get(k), "spark-defaults.daemons.conf: %s %s (= conf/spark-defaults.conf)" % (k, daemons.get(k)),
          "spark-defaults.daemons.conf: %s is %r, conf/spark-defaults.conf says %r" % (k, daemons.get(k), app.get(k)))
check(daemons.get("spark.authenticate.secret") == "CHANGE-ME", "spark-defaults.daemons.conf: the secret is a placeholder",
      "spark-defaults.daemons.conf: holds something other than the CHANGE-ME placeholder as secret: never commit a real one")
check(daemons.get("spark.worker.resource.gpu.discoveryScript") == default(SCRIPTS["standalone"], "GPU_DISCOVERY_SCRIPT"),
      "standalone: the Workers' and the executors' discovery script are the same path",
      "standalone: spark-defaults.daemons.conf and submit-train.sh name different discovery scripts")

# ---------------------------------------------------------------- README names every file
readme = read(os.path.join(HERE, "README.md"))
for path in sorted(glob.glob(os.path.join(HERE, "**", "*"), recursive=True)):
    if os.path.isfile(path) and os.path.basename(path) != "README.md":
        name = os.path.relpath(path, HERE)
        check(name in readme, "README.md describes %s" % name, "README.md does not mention %s" % name)
PY
)" || true
  echo "$PY_OUT"
  FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$PY_OUT" || true)))
  SKIPS=$((SKIPS + $(grep -c '^skip' <<<"$PY_OUT" || true)))
  # A Python error leaves a traceback and no summary of its own: count it as a failure.
  if grep -q '^Traceback' <<<"$PY_OUT"; then fail "the Python checks crashed (traceback above)"; fi
fi

echo
if (( FAILS > 0 )); then
  echo "validate: $FAILS check(s) FAILED, $SKIPS skipped"
  exit 1
fi
echo "validate: all checks passed, $SKIPS skipped (syntax and consistency only: nothing was run on a cluster)"
