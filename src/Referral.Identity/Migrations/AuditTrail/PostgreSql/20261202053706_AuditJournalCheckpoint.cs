using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.PostgreSql
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
                    Segment = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    IndexedOffset = table.Column<long>(type: "bigint", nullable: false)
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
