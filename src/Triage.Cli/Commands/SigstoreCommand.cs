using System.CommandLine;
using Triage.Sigstore;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;

namespace Triage.Cli.Commands;

/// <summary>`triage sigstore verify`: checks a Sigstore bundle against an artifact, a digest, or (DSSE) on its own.</summary>
internal static class SigstoreCommand
{
    private const int Verified = 0;
    private const int VerificationFailed = 1;
    private const int UsageError = 2;

    internal static Command Create()
    {
        var command = new Command("sigstore", "Sigstore signatures and attestations.");
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static Command CreateVerify()
    {
        // Every option takes zero or one value and none is "required" to the parser, so that any usage problem
        // reaches the action and exits with 2 instead of the parser's generic 1 (1 means "verification failed").
        var bundle = Opt("--bundle", "The Sigstore bundle (.sigstore.json) to verify.");
        var artifact = Opt("--artifact", "The signed file. Omit for a DSSE attestation to verify its payload only.");
        var digest = Opt("--digest", "The signed artifact's digest, ALG:HEX (sha256, sha384, sha512), instead of --artifact.");
        var trustedRoot = Opt("--trusted-root", "trusted_root.json to trust (default: the Sigstore public-good root shipped with triage).");
        var key = Opt("--key", "PEM public key of a bundle signed with a self-managed key.");
        var identity = Opt("--identity", "Expected certificate identity (SAN: email, URI or username), exact.");
        var identityRegex = Opt("--identity-regex", "Expected certificate identity as a regular expression matching the whole SAN.");
        var issuer = Opt("--issuer", "Expected OIDC issuer of the certificate, exact (e.g. https://token.actions.githubusercontent.com).");
        var predicateType = Opt("--predicate-type", "For attestations: the predicate type must start with this (e.g. https://openvex.dev/ns).");

        var command = new Command("verify", "Verify a Sigstore bundle: exit 0 verified, 1 verification failed, 2 usage error.")
        {
            bundle, artifact, digest, trustedRoot, key, identity, identityRegex, issuer, predicateType,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            try
            {
                return Verify(parse);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"triage sigstore verify: {e.Message}");
                return UsageError;
            }
        });
        return command;

        int Verify(ParseResult parse)
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            int Usage(string message)
            {
                error.WriteLine($"triage sigstore verify: {message}");
                return UsageError;
            }

            if (parse.UnmatchedTokens.Count > 0) return Usage($"unexpected argument(s): {string.Join(" ", parse.UnmatchedTokens)}");
            var bundlePath = parse.GetValue(bundle);
            if (string.IsNullOrEmpty(bundlePath)) return Usage("--bundle is required");
            if (!File.Exists(bundlePath)) return Usage($"bundle file not found: {bundlePath}");
            var artifactPath = parse.GetValue(artifact);
            var digestText = parse.GetValue(digest);
            if (artifactPath is not null && digestText is not null) return Usage("give --artifact or --digest, not both");
            if (artifactPath is not null && !File.Exists(artifactPath)) return Usage($"artifact file not found: {artifactPath}");
            var san = parse.GetValue(identity);
            var sanPattern = parse.GetValue(identityRegex);
            var oidcIssuer = parse.GetValue(issuer);
            if (san is not null && sanPattern is not null) return Usage("give --identity or --identity-regex, not both");
            if ((san ?? sanPattern) is not null != oidcIssuer is not null) return Usage("--identity (or --identity-regex) and --issuer go together");
            var keyPath = parse.GetValue(key);
            if (keyPath is not null && !File.Exists(keyPath)) return Usage($"key file not found: {keyPath}");
            var rootPath = parse.GetValue(trustedRoot);
            if (rootPath is not null && !File.Exists(rootPath)) return Usage($"trusted root file not found: {rootPath}");

            Artifact? subject = null;
            if (digestText is not null)
            {
                try
                {
                    subject = Artifact.FromDigest(digestText);
                }
                catch (FormatException e)
                {
                    return Usage($"--digest: {e.Message}");
                }
            }
            else if (artifactPath is not null)
            {
                subject = Artifact.FromFile(artifactPath);
            }

            CertificateIdentity? expected;
            try
            {
                expected = san is not null ? CertificateIdentity.Exact(san, oidcIssuer!)
                    : sanPattern is not null ? CertificateIdentity.Pattern(sanPattern, oidcIssuer!)
                    : null;
            }
            catch (ArgumentException e)
            {
                return Usage($"--identity-regex: {e.Message}");
            }

            int Fail(string code, string reason)
            {
                error.WriteLine($"FAIL {code}: {bundlePath}: {reason}");
                return VerificationFailed;
            }

            TrustedRoot root;
            try
            {
                root = rootPath is null ? TrustedRoot.PublicGood : TrustedRoot.Load(rootPath);
            }
            catch (SigstoreFormatException e)
            {
                return Fail(FailureCode.TrustedRoot.ToCode(), $"{rootPath}: {e.Message}");
            }

            VerificationKey? publicKey = null;
            try
            {
                if (keyPath is not null) publicKey = VerificationKey.FromPem(File.ReadAllText(keyPath));
            }
            catch (SigstoreFormatException e)
            {
                return Fail(FailureCode.PublicKey.ToCode(), $"{keyPath}: {e.Message}");
            }

            using (publicKey)
            {
                var policy = new VerificationPolicy
                {
                    PublicKey = publicKey,
                    Identities = expected is null ? [] : [expected],
                    RequiredPredicateTypePrefix = parse.GetValue(predicateType),
                };
                var result = new BundleVerifier(root).Verify(File.ReadAllBytes(bundlePath), subject, policy);
                if (!result.Success) return Fail(result.Code!, result.Reason!);

                output.WriteLine($"Verified {bundlePath}");
                foreach (var check in result.PassedChecks) output.WriteLine($"  ✓ {check}");
                return Verified;
            }
        }
    }

    private static Option<string?> Opt(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.ZeroOrOne };
}
