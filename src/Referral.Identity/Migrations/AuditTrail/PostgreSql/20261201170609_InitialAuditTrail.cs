using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.PostgreSql
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RecordedTicks = table.Column<long>(type: "bigint", nullable: false),
                    Subtype = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    AgentReference = table.Column<string>(type: "text", nullable: true),
                    AgentClient = table.Column<string>(type: "text", nullable: true),
                    AgentDisplay = table.Column<string>(type: "text", nullable: true),
                    AltId = table.Column<string>(type: "text", nullable: true),
                    AgentName = table.Column<string>(type: "text", nullable: true),
                    Roles = table.Column<string>(type: "text", nullable: true),
                    Address = table.Column<string>(type: "text", nullable: true),
                    Organization = table.Column<string>(type: "text", nullable: true),
                    EntityType = table.Column<string>(type: "text", nullable: true),
                    EntityId = table.Column<string>(type: "text", nullable: true),
                    EntityVersion = table.Column<string>(type: "text", nullable: true),
                    QueryType = table.Column<string>(type: "text", nullable: true),
                    Query = table.Column<string>(type: "text", nullable: true)
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
