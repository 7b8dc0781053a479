using MudBlazor;
using MudBlazor.Utilities;
using Triage.Web.Components;

namespace Triage.Web.Tests.Components;

/// <summary>WCAG 2.x contrast of the theme's colours as the app uses them: severity, priority and decision chips are
/// small text, filled (the colour behind its contrast text) or outlined (the colour as text on the page), so every pair
/// needs 4.5:1 (level AA for normal text), in the light and the dark palette.</summary>
public sealed class ThemeContrastTests
{
    public static TheoryData<string> Palettes => new() { "light", "dark" };

    private static Palette PaletteOf(string name) => name == "light" ? TriageTheme.Theme.PaletteLight : TriageTheme.Theme.PaletteDark;

    [Theory]
    [MemberData(nameof(Palettes))]
    public void FilledAndOutlinedColours_ReachAa(string name)
    {
        var p = PaletteOf(name);
        var colours = new (string Name, MudColor Fill, MudColor Text)[]
        {
            ("primary", p.Primary, p.PrimaryContrastText),
            ("secondary", p.Secondary, p.SecondaryContrastText),
            ("info", p.Info, p.InfoContrastText),
            ("success", p.Success, p.SuccessContrastText),
            ("warning", p.Warning, p.WarningContrastText),
            ("error", p.Error, p.ErrorContrastText),
        };
        var failures = new List<string>();
        foreach (var (colour, fill, text) in colours)
        {
            Check(failures, $"{colour} filled", fill, text);
            Check(failures, $"{colour} on surface", fill, p.Surface);
            Check(failures, $"{colour} on background", fill, p.Background);
        }
        Assert.True(failures.Count == 0, $"{name} palette below 4.5:1: {string.Join("; ", failures)}");
    }

    [Theory]
    [MemberData(nameof(Palettes))]
    public void Text_ReachesAa(string name)
    {
        var p = PaletteOf(name);
        var failures = new List<string>();
        Check(failures, "text on surface", p.TextPrimary, p.Surface);
        Check(failures, "text on background", p.TextPrimary, p.Background);
        Check(failures, "secondary text on surface", p.TextSecondary, p.Surface);
        Check(failures, "secondary text on background", p.TextSecondary, p.Background);
        Check(failures, "app bar", p.AppbarText, p.AppbarBackground);
        Check(failures, "drawer", p.DrawerText, p.DrawerBackground);
        Assert.True(failures.Count == 0, $"{name} palette below 4.5:1: {string.Join("; ", failures)}");
    }

    [Fact]
    public void ContrastRatio_MatchesWcagExamples()
    {
        Assert.Equal(21.0, Contrast(new MudColor("#000000"), new MudColor("#ffffff")), 2);
        Assert.Equal(1.0, Contrast(new MudColor("#777777"), new MudColor("#777777")), 2);
        // The WCAG grey that just passes AA on white.
        Assert.Equal(4.54, Contrast(new MudColor("#767676"), new MudColor("#ffffff")), 2);
    }

    private static void Check(List<string> failures, string what, MudColor fore, MudColor back)
    {
        var ratio = Contrast(fore, back);
        if (ratio < 4.5) failures.Add($"{what} {fore.Value}/{back.Value} {ratio:0.00}");
    }

    /// <summary>WCAG 2.x contrast ratio; a translucent colour is first laid over the other one.</summary>
    internal static double Contrast(MudColor fore, MudColor back)
    {
        var a = fore.A / 255.0;
        double Blend(byte f, byte b) => f * a + b * (1 - a);
        var l1 = Luminance(Blend(fore.R, back.R), Blend(fore.G, back.G), Blend(fore.B, back.B));
        var l2 = Luminance(back.R, back.G, back.B);
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }

    private static double Luminance(double r, double g, double b)
    {
        static double Channel(double c)
        {
            c /= 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(r) + 0.7152 * Channel(g) + 0.0722 * Channel(b);
    }
}
