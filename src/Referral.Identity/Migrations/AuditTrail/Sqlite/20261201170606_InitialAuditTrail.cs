using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.Sqlite
{
    /// <inheritdoc />
    public partial class InitialAuditTrail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_event",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RecordedTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Subtype = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    AgentReference = table.Column<string>(type: "TEXT", nullable: true),
                    AgentClient = table.Column<string>(type: "TEXT", nullable: true),
                    AgentDisplay = table.Column<string>(type: "TEXT", nullable: true),
                    AltId = table.Column<string>(type: "TEXT", nullable: true),
                    AgentName = table.Column<string>(type: "TEXT", nullable: true),
                    Roles = table.Column<string>(type: "TEXT", nullable: true),
                    Address = table.Column<string>(type: "TEXT", nullable: true),
                    Organization = table.Column<string>(type: "TEXT", nullable: true),
                    EntityType = table.Column<string>(type: "TEXT", nullable: true),
                    EntityId = table.Column<string>(type: "TEXT", nullable: true),
                    EntityVersion = table.Column<string>(type: "TEXT", nullable: true),
                    QueryType = table.Column<string>(type: "TEXT", nullable: true),
                    Query = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_event", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_event_AgentReference",
                table: "audit_event",
                column: "AgentReference");

            migrationBuilder.CreateIndex(
                name: "IX_audit_event_AltId",
                table: "audit_event",
                column: "AltId");

            migrationBuilder.CreateIndex(
                name: "IX_audit_event_EntityType_EntityId",
                table: "audit_event",
                columns: new[] { "EntityType", "EntityId" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_event_RecordedTicks",
                table: "audit_event",
                column: "RecordedTicks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_event");
        }
    }
}
