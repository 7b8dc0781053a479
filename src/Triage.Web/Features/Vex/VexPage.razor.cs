using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Signing;
using Triage.Data.Vex;
using Triage.Web.Features.Signing;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Vex;

/// <summary>The VEX page: export (optionally signed) with download, import (optionally with its Sigstore bundle), imported
/// documents with their unmatched and rejected statements, per-author trust (admins), signing.</summary>
public partial class VexPage
{
    private const long MaxBytes = 64L * 1024 * 1024;

    [Inject] private TriageConnection Connection { get; set; } = default!;
    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private SigningFacade Signing { get; set; } = default!;
    [Inject] private VexTransfers Transfers { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private IConfiguration Configuration { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<VexPage> Log { get; set; } = default!;

    private sealed record ExportShown(VexExportOutcome Outcome, SignedDocument? Signed, string FileName);

    private VexFormat _format = VexFormat.OpenVex;
    private string _scopeKind = "all";
    private string? _scopeValue;
    private long? _scopeTeam;
    private bool _sign;
    private bool _busy;
    private ExportShown? _export;
    private string? _exportError;

    private IBrowserFile? _docFile;
    private IBrowserFile? _bundleFile;
    private string _importTrust = "keep";
    private SignedImportReport? _importReport;
    private string? _importError;

    private IReadOnlyList<VexDocumentView> _documents = [];
    private IReadOnlyDictionary<long, SignatureView> _signatures = new Dictionary<long, SignatureView>();
    private VexDocumentDetails? _details;
    private IReadOnlyList<VexAuthor> _authors = [];
    private IReadOnlyList<Team> _teams = [];
    private bool _isAdmin;
    private bool _canTriage;
    private bool _requireSignatures;

    private VexImportService Imports => new(Connection.ConnectionString, Time);

    protected override async Task OnInitializedAsync()
    {
        var user = await Access.CurrentAsync();
        _isAdmin = user.IsAdmin;
        _canTriage = user.CanTriage;
        _requireSignatures = Configuration.GetValue<bool>("Triage:Vex:RequireSignatures");
        await using (var db = await Db.CreateDbContextAsync()) _teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync();
        await LoadListsAsync();
    }

    private async Task LoadListsAsync()
    {
        _documents = await Imports.ListDocumentsAsync();
        _signatures = await Signing.Uploads.DocumentSignaturesAsync(_documents.Select(d => d.Id).ToList());
        _authors = await Imports.AuthorsAsync();
    }

    private async Task ExportAsync()
    {
        _busy = true;
        _exportError = null;
        _export = null;
        try
        {
            VexExportScope scope = _scopeKind switch
            {
                "image" when !string.IsNullOrWhiteSpace(_scopeValue) => new VexExportScope.Image(_scopeValue),
                "repository" when !string.IsNullOrWhiteSpace(_scopeValue) => new VexExportScope.Repository(_scopeValue),
                "team" when _scopeTeam is { } t => new VexExportScope.Team(t.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                "all" => VexExportScope.Everything.Instance,
                _ => throw new ArgumentException("Name the image, repository or team to export."),
            };
            var author = Configuration["Triage:Vex:Author"];
            var (outcome, signed) = await Transfers.ExportAsync(await Access.CurrentAsync(), _format, scope, author, _sign);
            _export = new ExportShown(outcome, signed, $"vex.{_format.ToWire()}.json");
        }
        catch (Exception e) when (e is ArgumentException or DecisionTargetException or VexExportException or InvalidOperationException
                                       or Sigstore.Signing.SigstoreServiceException or HttpRequestException)
        {
            _exportError = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ImportAsync()
    {
        if (_docFile is null) return;
        _busy = true;
        _importError = null;
        _importReport = null;
        try
        {
            var doc = await ReadAsync(_docFile);
            var bundle = _bundleFile is null ? null : await ReadAsync(_bundleFile);
            VexTrust? trust = _importTrust switch { "trusted" => VexTrust.Trusted, "show" => VexTrust.ShowOnly, "ignore" => VexTrust.Ignore, _ => null };
            _importReport = await Transfers.ImportAsync(await Access.CurrentAsync(), doc, _docFile.Name, bundle, trust, MaxBytes);
            _docFile = null;
            _bundleFile = null;
            await LoadListsAsync();
        }
        catch (VexFormatException e)
        {
            _importError = $"{_docFile?.Name}: {e.Describe()}";
        }
        catch (Exception e) when (e is IOException or VexTrustChangeException)
        {
            _importError = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else must not take the page (the circuit) down: say so, and log the detail for the operator.
            Log.LogError(e, "VEX import of {File} failed", _docFile?.Name);
            _importError = $"{_docFile?.Name}: the import failed ({e.GetType().Name}); the server log has the detail.";
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ShowDocumentAsync(long id) => _details = await Imports.DocumentAsync(id, (await Access.CurrentAsync()).Images);

    private async Task SetTrustAsync(string author, VexTrust trust)
    {
        var user = await Access.CurrentAsync();
        if (!user.IsAdmin) return;
        await Imports.SetAuthorTrustAsync(author, trust, user.Name);
        await LoadListsAsync();
    }

    private static async Task<byte[]> ReadAsync(IBrowserFile file)
    {
        using var ms = new MemoryStream();
        await using var s = file.OpenReadStream(MaxBytes);
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }

    internal static string DataUri(string json) => "data:application/json;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json));
}
