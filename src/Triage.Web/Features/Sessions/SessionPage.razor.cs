using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Sessions;

/// <summary>
/// A live session in one browser tab. Loads the stored state, joins the session's room on the bus, and applies every
/// event (moves, proposals, decisions, presence, closing) as it arrives. Actions go through <see cref="SessionService"/>,
/// which stores them and publishes the event that every tab, this one included, renders.
/// </summary>
public partial class SessionPage
{
    [Inject] private SessionService Service { get; set; } = default!;
    [Inject] private ISessionBus Bus { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<SessionPage> Log { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    private bool _loading = true;
    private SessionState? _state;
    private UserAccess? _me;
    private SessionRoom? _room;
    private DotNetObjectReference<SessionPage>? _self;
    private int _position;
    private FindingView? _current;
    private string _facilitatorId = "";
    private string _facilitatorName = "";
    private bool _closed;
    private SessionSummary? _summary;
    private string? _error;
    private readonly List<DecisionRecord> _decisions = [];
    private readonly List<SessionProposal> _proposals = [];
    private readonly List<FeedEntry> _feed = [];
    private Dictionary<long, DecisionStatus> _decidedStatus = [];
    private Dictionary<long, string> _labels = [];
    private bool _dialogOpen;

    private bool IsFacilitator => _me is not null && (_me.UserId == _facilitatorId || _me.IsAdmin);

    private DecisionRecord? CurrentDecision => _current is null ? null : _decisions.LastOrDefault(d => d.FindingId == _current.Id);

    private IReadOnlyList<SessionProposal> CurrentProposals => _current is null ? [] : _proposals.Where(p => p.FindingId == _current.Id).ToList();

    protected override async Task OnInitializedAsync()
    {
        _me = await Access.CurrentAsync();
        // Null as well for a session over another team's images: the page then says no more than for a missing one.
        _state = await Service.LoadAsync(Id, _me);
        if (_state is not null)
        {
            var s = _state.Session;
            _position = s.CurrentPosition;
            _facilitatorId = s.FacilitatorId;
            _facilitatorName = s.FacilitatorName;
            _closed = s.ClosedAt is not null;
            _decisions.AddRange(_state.Decisions);
            _proposals.AddRange(_state.Proposals);
            RebuildDecided();
            _labels = await Service.LabelsAsync(_state.Items, _me);
            if (_closed) _summary = await Service.SummaryAsync(Id, _me);
            else await LoadCurrentAsync();
            // Join only once the page is live (the prerendered copy is thrown away at once).
            if (!_closed && RendererInfo.IsInteractive)
            {
                _room = new SessionRoom(Bus, Id, new Participant(Guid.NewGuid().ToString("N"), _me.UserId, _me.Name, _me.Role.ToName()), Time);
                _room.Changed += OnEventAsync;
                await _room.JoinAsync();
            }
        }
        _loading = false;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Not only on the first render: on PostgreSQL the first render comes while the session is still loading (before the
        // room exists), and shortcuts registered only then were never registered at all.
        if (_self is null && RendererInfo.IsInteractive && _room is not null)
        {
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("triage.registerShortcuts", _self);
        }
    }

    private async Task LoadCurrentAsync()
    {
        _current = _state is null || _state.Items.Count == 0 ? null : await Service.FindingAsync(_state.Items[Math.Clamp(_position, 0, _state.Items.Count - 1)], _me!);
    }

    private void RebuildDecided() =>
        _decidedStatus = _decisions.GroupBy(d => d.FindingId).ToDictionary(g => g.Key, g => g.Last().Status);

    /// <summary>Every event of the session, from this tab or another, on this instance or another.</summary>
    private Task OnEventAsync(SessionEvent e) => InvokeAsync(async () =>
    {
        switch (e.Kind)
        {
            case SessionEventKind.Joined:
                _feed.Insert(0, new FeedEntry(e.At, $"{e.UserName} joined", null));
                break;
            case SessionEventKind.Left:
                _feed.Insert(0, new FeedEntry(e.At, $"{e.UserName} left", null));
                break;
            case SessionEventKind.Moved when e.Position is { } p:
                _position = p;
                await LoadCurrentAsync();
                break;
            case SessionEventKind.HandedOver:
                _facilitatorId = e.TargetUserId ?? _facilitatorId;
                _facilitatorName = e.TargetName ?? _facilitatorName;
                _feed.Insert(0, new FeedEntry(e.At, $"{e.UserName} handed the queue to {e.TargetName}", null));
                break;
            case SessionEventKind.Proposed when e.FindingId is { } f && DecisionStatusNames.TryParse(e.Status, out var ps):
                _proposals.Add(new SessionProposal
                {
                    Id = e.RecordId ?? 0, SessionId = Id, FindingId = f, Status = ps, Note = e.Text, AuthorId = e.UserId ?? "", AuthorName = e.UserName ?? "", CreatedAt = e.At,
                });
                _feed.Insert(0, new FeedEntry(e.At, $"{e.UserName} proposes {ps.ToLabel().ToLowerInvariant()} for {Label(f)}", e.Text));
                break;
            case SessionEventKind.Decided when e.FindingId is { } f && DecisionStatusNames.TryParse(e.Status, out var ds):
                if (_decisions.All(d => d.Id != e.RecordId))
                    _decisions.Add(new DecisionRecord(e.RecordId ?? 0, f, Id, ds, e.Text, e.UserId ?? "", e.UserName ?? "", e.At));
                RebuildDecided();
                // The decision in force on the card is what this person has now seen: their next decision builds on it
                // (without the reload it would be refused as a conflict with a decision already on screen).
                if (_current?.Id == f) await LoadCurrentAsync();
                _feed.Insert(0, new FeedEntry(e.At, $"{e.UserName} decided {ds.ToLabel().ToLowerInvariant()} for {Label(f)}", e.Text));
                break;
            case SessionEventKind.Closed:
                _closed = true;
                _summary = await Service.SummaryAsync(Id, _me!);
                await LeaveAsync();
                break;
        }
        if (_feed.Count > 100) _feed.RemoveRange(100, _feed.Count - 100);
        StateHasChanged();
    });

    private string Label(long findingId) => _labels.TryGetValue(findingId, out var l) ? l : $"finding #{findingId}";

    /// <summary>a / n / f / u, a button, or a proposal accepted: triagers decide, viewers propose. Not affected and
    /// affected ask for what VEX requires (justification or impact; action) and the scope; fixed and under investigation
    /// are recorded at once for this digest.</summary>
    private async Task ChooseAsync(DecisionStatus status, string? note = null)
    {
        if (_current is null || _room is null) return;
        var input = new DecisionInput(status) { Notes = note };
        if (status is DecisionStatus.NotAffected or DecisionStatus.Affected)
        {
            var asked = await AskAsync(status, note);
            if (asked is null) return;
            input = asked;
        }
        var findingId = _current.Id;
        var seen = _current.Vex?.DecisionId;
        await RunAsync(async () =>
        {
            if (_me!.CanTriage) await Service.DecideAsync(_room, findingId, input, seen, _me);
            else await Service.ProposeAsync(_room, findingId, status, input.Summary, _me);
        });
        // What is in force now (this decision, or the one that won meanwhile).
        await LoadCurrentAsync();
    }

    private Task AcceptAsync(SessionProposal p) => ChooseAsync(p.Status, p.Note);

    private async Task<DecisionInput?> AskAsync(DecisionStatus status, string? note)
    {
        _dialogOpen = true;
        try
        {
            var parameters = new DialogParameters<DecisionDialog>
            {
                { d => d.Status, status }, { d => d.Proposing, !_me!.CanTriage }, { d => d.Notes, note }, { d => d.FindingId, _current?.Id },
                { d => d.GlobalAvailable, _me.IsAdmin },
            };
            var dialog = await Dialogs.ShowAsync<DecisionDialog>(_me!.CanTriage ? "Decide" : "Propose", parameters);
            var result = await dialog.Result;
            return result is { Canceled: false, Data: DecisionInput input } ? input : null;
        }
        finally
        {
            _dialogOpen = false;
        }
    }

    private Task MoveAsync(int position) => _room is null ? Task.CompletedTask : RunAsync(() => Service.MoveAsync(_room, position, _me!));

    private Task HandOverAsync(Participant to) => _room is null ? Task.CompletedTask : RunAsync(() => Service.HandOverAsync(_room, to, _me!));

    private async Task CloseAsync()
    {
        if (_room is null) return;
        var ok = await Dialogs.ShowMessageBoxAsync("Close the session?",
            "Everyone sees the summary; undecided findings are recorded as deferred. A closed session cannot be reopened.", yesText: "Close session", cancelText: "Cancel");
        if (ok == true) await RunAsync(() => Service.CloseAsync(_room, _me!));
    }

    private async Task ShowHelpAsync()
    {
        _dialogOpen = true;
        try
        {
            var dialog = await Dialogs.ShowAsync<ShortcutHelpDialog>("Keyboard shortcuts", new DialogParameters<ShortcutHelpDialog> { { d => d.CanDecide, _me!.CanTriage } });
            await dialog.Result;
        }
        finally
        {
            _dialogOpen = false;
        }
    }

    [JSInvokable]
    public Task OnShortcut(string key) => InvokeAsync(async () =>
    {
        if (_dialogOpen || _closed) return;
        switch (key)
        {
            case "j": if (IsFacilitator) await MoveAsync(_position + 1); else Hint(); break;
            case "k": if (IsFacilitator) await MoveAsync(_position - 1); else Hint(); break;
            case "a": await ChooseAsync(DecisionStatus.Affected); break;
            case "n": await ChooseAsync(DecisionStatus.NotAffected); break;
            case "f": await ChooseAsync(DecisionStatus.Fixed); break;
            case "u": await ChooseAsync(DecisionStatus.UnderInvestigation); break;
            case "?": await ShowHelpAsync(); break;
        }
        StateHasChanged();
    });

    private void Hint() => _error = $"Only the facilitator ({_facilitatorName}) moves the queue.";

    private async Task RunAsync(Func<Task> action)
    {
        try
        {
            _error = null;
            await action();
        }
        // A conflict: someone decided on this finding meanwhile (in the session, on its page or from the CLI). Nothing was
        // recorded; the message names the decision in force, and the card reloads to show it (ChooseAsync).
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException or Microsoft.EntityFrameworkCore.DbUpdateException
                                      or Triage.Data.Vex.DecisionConflictException)
        {
            Log.LogInformation("Session {Id} action refused: {Reason}", Id, e.Message);
            _error = Components.Shared.ErrorText.Describe(e);
        }
    }

    private async Task LeaveAsync()
    {
        if (_self is not null)
        {
            try { await JS.InvokeVoidAsync("triage.unregisterShortcuts"); }
            catch (JSDisconnectedException) { }
            _self.Dispose();
            _self = null;
        }
        if (_room is not null)
        {
            _room.Changed -= OnEventAsync;
            await _room.DisposeAsync();
            _room = null;
        }
    }

    public async ValueTask DisposeAsync() => await LeaveAsync();
}

public sealed record FeedEntry(DateTime At, string Text, string? Detail);
