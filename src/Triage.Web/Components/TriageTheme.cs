using MudBlazor;

namespace Triage.Web.Components;

/// <summary>The light and dark palettes and the system font stack (no web fonts: the app works offline). Every colour a
/// chip or button fills with, or writes text in, has at least 4.5:1 contrast against its text and the page (WCAG AA,
/// ThemeContrastTests): MudBlazor's own warning, success and info are too light for the white text of a filled chip, and
/// in the dark palette the light fills take dark text.</summary>
public static class TriageTheme
{
    private const string DarkText = "#121417";

    private static readonly string[] Fonts = ["system-ui", "-apple-system", "Segoe UI", "Liberation Sans", "DejaVu Sans", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fae",
            Secondary = "#6b4fbb",
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#b45309",
            Error = "#c62828",
            TextSecondary = "rgba(0,0,0,0.62)",
            AppbarBackground = "#17365d",
            Background = "#f6f7f9",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb2f0",
            PrimaryContrastText = DarkText,
            Secondary = "#b39ddb",
            SecondaryContrastText = DarkText,
            Info = "#64b5f6",
            InfoContrastText = DarkText,
            Success = "#66bb6a",
            SuccessContrastText = DarkText,
            Warning = "#ffb74d",
            WarningContrastText = DarkText,
            Error = "#f28b82",
            ErrorContrastText = DarkText,
            AppbarBackground = "#10192a",
            Background = "#121417",
            Surface = "#1b1e23",
            DrawerBackground = "#16191d",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
            H1 = new H1Typography { FontFamily = Fonts },
            H2 = new H2Typography { FontFamily = Fonts },
            H3 = new H3Typography { FontFamily = Fonts },
            H4 = new H4Typography { FontFamily = Fonts, FontSize = "1.8rem" },
            H5 = new H5Typography { FontFamily = Fonts },
            H6 = new H6Typography { FontFamily = Fonts },
            Button = new ButtonTypography { FontFamily = Fonts },
            Body1 = new Body1Typography { FontFamily = Fonts },
            Body2 = new Body2Typography { FontFamily = Fonts },
            Caption = new CaptionTypography { FontFamily = Fonts },
            Subtitle1 = new Subtitle1Typography { FontFamily = Fonts },
            Subtitle2 = new Subtitle2Typography { FontFamily = Fonts },
            Overline = new OverlineTypography { FontFamily = Fonts },
        },
    };
}
