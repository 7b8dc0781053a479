using Triage.Testing;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>The real app on a fresh PostgreSQL database, for page and service tests whose queries must hold on both providers.</summary>
public sealed class PostgresWebFactory() : TriageWebFactory(TestDatabases.Postgres, seedAdmin: true);
