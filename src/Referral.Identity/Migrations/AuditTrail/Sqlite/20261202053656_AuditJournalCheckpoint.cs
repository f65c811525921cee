using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.Sqlite
{
    /// <inheritdoc />
    public partial class AuditJournalCheckpoint : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_journal_checkpoint",
                columns: table => new
                {
                    Segment = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    IndexedOffset = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_journal_checkpoint", x => x.Segment);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_journal_checkpoint");
        }
    }
}
