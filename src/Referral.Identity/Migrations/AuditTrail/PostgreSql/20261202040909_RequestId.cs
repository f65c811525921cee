using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.PostgreSql
{
    /// <inheritdoc />
    public partial class RequestId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequestId",
                table: "audit_event",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RequestId",
                table: "audit_event");
        }
    }
}
