// The README example, runnable from the repository: npx tsx packages/macsec-config/examples/rollover.ts
import {
  deriveCknCak,
  keyChainRotationChange,
  parseConfigurationXml,
  planKeyChainRotation,
  renderSet,
  renderXml,
  requiredKeyBits,
} from '../src/index.js';

// 1. Ask the KME for exactly the bits the suite needs: no QKD key material wasted.
const cipherSuite = 'gcm-aes-xpn-256';
console.log(requiredKeyBits(cipherSuite)); // 256

// 2. The key the KME delivered (normally `(await client.getKey(...)).keys[0]`).
const key = { keyId: '550e8400-e29b-41d4-a716-446655440000', bytes: new Uint8Array(32).fill(0x5a) };
const { ckn, cak } = deriveCknCak(key, { cipherSuite, strategy: 'sha256-keyid' });
console.log(ckn);      // 64 hex digits, the same on both ends of the link
console.log(`${cak}`); // [redacted]

// 3. The chain as the device holds it (normally the <get-configuration> reply).
const reply = `<rpc-reply><configuration><security><authentication-key-chains><key-chain>
  <name>QKD_KC</name>
  <key><name>62</name><secret>$9$old1</secret><key-name>aa01</key-name><start-time>2026-11-24.19:50:00 +0000</start-time></key>
  <key><name>63</name><secret>$9$old2</secret><key-name>aa02</key-name><start-time>2026-11-24.19:55:00 +0000</start-time></key>
  <key><name>0</name><secret>$9$old3</secret><key-name>aa03</key-name><start-time>2026-11-24.20:00:00 +0000</start-time></key>
</key-chain></authentication-key-chains></security></configuration></rpc-reply>`;
const chain = parseConfigurationXml(reply).keyChains![0]!;

// 4. Plan: next slot, a start-time 2 minutes ahead, prune what is older than the previous key.
const plan = planKeyChainRotation({ chain, now: new Date('2026-11-24T20:03:00Z'), leadTimeSeconds: 120, keyName: ckn });
console.log(plan.slot, plan.startTime, plan.deleteSlots, plan.activeSlot, plan.previousSlot);
// 1 2026-11-24.20:05:00 [ 62 ] 0 63

// 5. Render the change. Without revealSecrets the CAK shows as [redacted] (for logs, dry runs).
const change = keyChainRotationChange(plan, { chain: 'QKD_KC', keyName: ckn, secret: cak });
console.log(renderSet(change.config, { delete: change.delete }).join('\n'));
// delete security authentication-key-chains key-chain QKD_KC key 62
// set security authentication-key-chains key-chain QKD_KC key 1 secret [redacted]
// set security authentication-key-chains key-chain QKD_KC key 1 key-name <ckn>
// set security authentication-key-chains key-chain QKD_KC key 1 start-time 2026-11-24.20:05:00

// What goes to the device, inside <load-configuration action="merge" format="xml">:
const xml = renderXml(change.config, { delete: change.delete, revealSecrets: true });
console.log(xml);
// <configuration>
//   <security>
//     <authentication-key-chains>
//       <key-chain>
//         <name>QKD_KC</name>
//         <key delete="delete">
//           <name>62</name>
//         </key>
//         <key>
//           <name>1</name>
//           <secret>5a5a…5a</secret>
//           <key-name><ckn></key-name>
//           <start-time>2026-11-24.20:05:00</start-time>
//         </key>
//       </key-chain>
//     </authentication-key-chains>
//   </security>
// </configuration>
