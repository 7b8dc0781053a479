using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Triage.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EpssFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "EpssEntries")
                .Annotation("Npgsql:StorageParameter:fillfactor", 50);
            // The setting applies to pages written from now on: rewrite the rows already stored once (CLUSTER with a
            // table name may run inside the migration's transaction, VACUUM FULL may not).
            migrationBuilder.Sql("CLUSTER \"EpssEntries\" USING \"PK_EpssEntries\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "EpssEntries")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 50);
        }
    }
}
