"""Drive sim-junos with ncclient's Junos device handler (a third-party, Junos-aware NETCONF client)
and print what it saw as JSON. Run by ncclient.test.ts; connection details come from the
environment so no secret is on the command line."""
import json
import os
import sys

from ncclient import manager
from ncclient.operations.rpc import RPCError
from ncclient.xml_ import new_ele, sub_ele

out = {}
# Host key pinning is covered by the TypeScript client tests; ncclient is here for protocol interop.
with manager.connect(
    host=os.environ["SIM_HOST"],
    port=int(os.environ["SIM_PORT"]),
    username=os.environ["SIM_USER"],
    password=os.environ["SIM_PASSWORD"],
    hostkey_verify=False,
    allow_agent=False,
    look_for_keys=False,
    device_params={"name": "junos"},
    timeout=30,
) as m:
    out["session_id"] = m.session_id
    out["junos_capability"] = any("xml.juniper.net/netconf/junos" in c for c in m.server_capabilities)
    sw = m.rpc(new_ele("get-software-information"))
    out["host_name"] = sw.xpath("//host-name")[0].text
    out["version_via_command"] = m.command("show version", format="xml").xpath("//junos-version")[0].text
    m.lock(target="candidate")
    m.load_configuration(action="set", config=["set system host-name nc1", "set system static-host-mapping kme-a inet 192.0.2.1"])
    out["diff"] = m.compare_configuration().xpath("//configuration-output")[0].text
    m.validate()
    m.commit(confirmed=True, timeout="120")
    m.commit()
    m.unlock(target="candidate")
    text = m.get_configuration(format="text")
    out["text_has_host_name"] = "host-name nc1;" in text.xpath("//configuration-text")[0].text
    running = m.get_config(source="running").data_xml
    out["running_has_host_name"] = "<host-name>nc1</host-name>" in running
    mka = m.rpc(new_ele("get-mka-session-information"))
    out["mka"] = [(s.findtext("interface-name"), s.findtext("interface-state")) for s in mka.xpath("//mka-session-info")]
    try:
        m.load_configuration(action="set", config=["set security macsec xyz"])
        out["error"] = None
    except RPCError as e:
        out["error"] = {"path": e.path, "message": e.message, "bad_element": e.info and "xyz" in e.info, "severity": e.severity}
    m.discard_changes()
    try:
        m.rpc(new_ele("frobnicate"))
        out["unknown_rpc"] = None
    except RPCError as e:
        out["unknown_rpc"] = e.tag
json.dump(out, sys.stdout)
