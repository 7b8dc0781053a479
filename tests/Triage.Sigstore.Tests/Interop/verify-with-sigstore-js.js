// verify-with-sigstore-js.js BUNDLE [--artifact FILE] [--key PEM] [--trusted-root JSON] [--identity SAN --issuer URL]
// Triage's interop oracle: verifies a bundle offline with sigstore-js (npm `sigstore`, whose @sigstore/* packages
// do the work). With --key and no --trusted-root it is cosign's `verify-blob --key` situation: no transparency log,
// CT log or timestamp is required. Prints "accepted" or "rejected: <code> <message>"; exit code 0 or 1.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, ...rest] = process.argv.slice(2);
const option = (name) => {
  const at = rest.indexOf(name);
  return at >= 0 ? rest[at + 1] : undefined;
};

const emptyRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [],
};

try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = option('--artifact') ? fs.readFileSync(option('--artifact')) : undefined;
  const keyPem = option('--key') ? fs.readFileSync(option('--key'), 'utf8') : undefined;
  const rootJson = option('--trusted-root') ? JSON.parse(fs.readFileSync(option('--trusted-root'), 'utf8')) : emptyRoot;
  const findKey = (hint) => {
    if (!keyPem) throw new Error(`bundle names key ${hint} but no --key was given`);
    return { publicKey: crypto.createPublicKey(keyPem), validFor: () => true };
  };
  const trust = toTrustMaterial(TrustedRoot.fromJSON(rootJson), findKey);
  const offlineKeyed = keyPem !== undefined && option('--trusted-root') === undefined;
  const verifier = new Verifier(trust, offlineKeyed ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {});
  const policy = {};
  if (option('--identity')) policy.subjectAlternativeName = option('--identity');
  if (option('--issuer')) policy.extensions = { issuer: option('--issuer') };
  verifier.verify(toSignedEntity(bundle, artifact), policy);
  console.log('accepted');
} catch (e) {
  console.log(`rejected: ${e.code || ''} ${e.message}`);
  process.exit(1);
}
