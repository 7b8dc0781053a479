using Triage.Data.Queue;

namespace Triage.Web.Infrastructure.Queue;

public static class QueueServices
{
    /// <summary>The durable import queue (Triage:Queue), its worker, and the service the API and the Import page import through.</summary>
    public static WebApplicationBuilder AddTriageImportQueue(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(sp => new ImportQueue(sp.GetRequiredService<TriageConnection>().ConnectionString, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<QueueRuntime>();
        services.AddSingleton<ImportQueueService>();
        services.AddHostedService<ImportQueueWorker>();
        return builder;
    }
}
