namespace Triage.Core.Vex;

/// <summary>
/// How a justification crosses between CycloneDX's nine values and the five of OpenVEX/CSAF, with what is lost said in words.
/// The choices are recorded in docs/decisions/022-vex-justification-mapping.md. In short: we never claim an OpenVEX
/// justification the author did not mean. CycloneDX's <c>requires_*</c> values have no OpenVEX equivalent, so they map to
/// no justification and their meaning is carried as impact-statement text (OpenVEX and CSAF accept an impact statement
/// alone for not_affected).
/// </summary>
/// <param name="Justification">The OpenVEX/CSAF justification, or null when there is none to claim.</param>
/// <param name="Exact">True when the two values mean the same thing.</param>
/// <param name="Loss">What the mapping loses, in a sentence; null when <see cref="Exact"/>.</param>
/// <param name="ImpactText">Text to put in the impact statement so the meaning survives (always set when <see cref="Justification"/> is null).</param>
public sealed record JustificationMapping(VexJustification? Justification, bool Exact, string? Loss, string? ImpactText)
{
    /// <summary>CycloneDX → OpenVEX/CSAF.</summary>
    public static JustificationMapping FromCycloneDx(CycloneDxJustification j) => j switch
    {
        CycloneDxJustification.CodeNotPresent => new(VexJustification.VulnerableCodeNotPresent, true, null, null),
        CycloneDxJustification.CodeNotReachable => new(VexJustification.VulnerableCodeNotInExecutePath, true, null, null),
        CycloneDxJustification.RequiresConfiguration => NoEquivalent(j, "exploitability requires a configurable option to be set or unset, and it is not"),
        CycloneDxJustification.RequiresDependency => NoEquivalent(j, "exploitability requires a dependency that is not present"),
        CycloneDxJustification.RequiresEnvironment => NoEquivalent(j, "exploitability requires a certain environment which is not present"),
        CycloneDxJustification.ProtectedByCompiler => Mitigation(j, "exploitability requires a compiler flag to be set or unset; the product is protected by its compiler settings"),
        CycloneDxJustification.ProtectedAtRuntime => Mitigation(j, "exploits are prevented at runtime"),
        CycloneDxJustification.ProtectedAtPerimeter => Mitigation(j, "attacks are blocked at physical, logical or network perimeter (not inside the product, so \"inline\" overstates it)"),
        CycloneDxJustification.ProtectedByMitigatingControl => Mitigation(j, "preventative measures have been implemented that reduce the likelihood and/or impact of the vulnerability"),
    };

    /// <summary>OpenVEX/CSAF → CycloneDX. Used only when a statement has no CycloneDX justification of its own.</summary>
    public static (CycloneDxJustification Justification, bool Exact, string? Loss) ToCycloneDx(VexJustification j) => j switch
    {
        VexJustification.ComponentNotPresent => (CycloneDxJustification.CodeNotPresent, false,
            "OpenVEX component_not_present (the whole component is absent) has no CycloneDX equivalent; written as code_not_present"),
        VexJustification.VulnerableCodeNotPresent => (CycloneDxJustification.CodeNotPresent, true, null),
        VexJustification.VulnerableCodeNotInExecutePath => (CycloneDxJustification.CodeNotReachable, true, null),
        VexJustification.VulnerableCodeCannotBeControlledByAdversary => (CycloneDxJustification.RequiresEnvironment, false,
            "OpenVEX vulnerable_code_cannot_be_controlled_by_adversary has no CycloneDX equivalent; written as requires_environment (the attacker-controlled input the exploit needs is absent)"),
        VexJustification.InlineMitigationsAlreadyExist => (CycloneDxJustification.ProtectedByMitigatingControl, false,
            "OpenVEX inline_mitigations_already_exist is narrower than CycloneDX protected_by_mitigating_control; \"inline\" is lost"),
    };

    private static JustificationMapping NoEquivalent(CycloneDxJustification j, string meaning) =>
        new(null, false, $"CycloneDX {j.ToWire()} has no OpenVEX/CSAF equivalent; no justification is claimed and the reason is kept as impact statement text",
            $"CycloneDX justification {j.ToWire()}: {meaning}.");

    private static JustificationMapping Mitigation(CycloneDxJustification j, string meaning) =>
        new(VexJustification.InlineMitigationsAlreadyExist, false,
            $"CycloneDX {j.ToWire()} maps to inline_mitigations_already_exist; which protection applies is kept only as impact statement text",
            $"CycloneDX justification {j.ToWire()}: {meaning}.");
}
