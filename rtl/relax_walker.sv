// Virtual time and relaxation (ADVANCE_TIME): holds the chip's clock `now` (us of effective
// time since reset) and temperature, and walks the array memory once per request.
//
// Bit-exact with FixedPointArray.advance (hil/device/fixed_point.py): the request's temperature
// (0.01 K codes, 0 keeps the current one) is rounded to whole kelvin and clamped into the
// Arrhenius LUT (250 .. 505 K); dt_eff = (dt * ArrheniusQ[T - 250]) >> 16, saturated at
// DtEffMax; then every cell, in ascending order, takes one draw and relaxes by
// relax_word(now, dt_eff); finally now += dt_eff. Cycles: 2 to scale dt, then one per cell
// (the read of cell k + 1 overlaps the write of cell k).

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module relax_walker
  import device_pkg::*;
#(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  localparam int unsigned Cells = ROWS * COLS,
  localparam int unsigned CellAw = (Cells > 1) ? $clog2(Cells) : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,      // one cycle
  input  logic [63:0]       dt_i,         // us
  input  logic [15:0]       temp_code_i,  // 0.01 K; 0 keeps the current temperature
  output logic [63:0]       now_o,        // us of effective time since reset
  output logic              done_o,       // one cycle; now_o advances at its end
  // Cell memory (cell_array: synchronous read, one write port)
  output logic [CellAw-1:0] cell_addr_o,
  input  cell_word_t        cell_rdata_i,
  output logic              cell_we_o,
  output logic [CellAw-1:0] cell_waddr_o,
  output cell_word_t        cell_wdata_o,
  // Noise (lfsr)
  output logic              rng_step_o,
  input  logic [31:0]       rng_next_i
);

  typedef enum logic [1:0] {
    WIdle,
    WScale,
    WCell
  } wstate_e;

  wstate_e           state_d, state_q;
  logic [63:0]       now_d, now_q, dt_d, dt_q, dt_eff_d, dt_eff_q;
  logic [8:0]        temp_d, temp_q;  // kelvin
  logic [CellAw:0]   k_d, k_q;

  // The device arithmetic is evaluated only in the states that use it (inside the case), so an
  // idle walker costs the simulation nothing per clock.
  always_comb begin
    /* verilator lint_off UNUSEDSIGNAL */
    logic [127:0] scaled;  // dt * factor (< 2^104); bits above the saturation are unused
    logic [31:0]  temp_k;  // rounded request temperature (< 656)
    /* verilator lint_on UNUSEDSIGNAL */
    state_d      = state_q;
    now_d        = now_q;
    dt_d         = dt_q;
    dt_eff_d     = dt_eff_q;
    temp_d       = temp_q;
    k_d          = k_q;
    done_o       = 1'b0;
    cell_addr_o  = CellAw'(k_q);
    cell_we_o    = 1'b0;
    cell_waddr_o = CellAw'(k_q);
    cell_wdata_o = cell_rdata_i;
    rng_step_o   = 1'b0;
    scaled       = '0;
    temp_k       = 32'd0;

    unique case (state_q)
      WIdle: begin
        if (start_i) begin
          dt_d = dt_i;
          temp_k = (32'(temp_code_i) + 32'd50) / 32'd100;
          if (temp_code_i != 16'd0) begin
            temp_d = (temp_k < 32'(TempMinK)) ? 9'(TempMinK)
                   : (temp_k > 32'(TempMinK) + 32'd255) ? 9'(TempMinK + 255) : 9'(temp_k);
          end
          k_d     = '0;
          state_d = WScale;
        end
      end

      // Effective duration; the read of cell 0 is issued meanwhile (cell_addr = k = 0).
      WScale: begin
        scaled   = 128'(dt_q) * 128'(ArrheniusQ[8'(temp_q - 9'(TempMinK))]);
        dt_eff_d = ((scaled >> 16) > 128'(DtEffMax)) ? 64'(DtEffMax) : 64'(scaled >> 16);
        state_d  = WCell;
      end

      WCell: begin
        rng_step_o   = 1'b1;
        cell_we_o    = 1'b1;
        cell_wdata_o = relax_word(cell_rdata_i, now_q, dt_eff_q, gauss(rng_next_i));
        cell_addr_o = CellAw'(k_q + 1'b1);
        k_d         = k_q + 1'b1;
        if (k_q == (CellAw + 1)'(Cells - 1)) begin
          now_d   = now_q + dt_eff_q;
          state_d = WIdle;
          done_o  = 1'b1;
        end
      end

      default: state_d = WIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= WIdle;
      now_q    <= 64'd0;
      dt_q     <= 64'd0;
      dt_eff_q <= 64'd0;
      temp_q   <= 9'(TRefK);
      k_q      <= '0;
    end else begin
      state_q  <= state_d;
      now_q    <= now_d;
      dt_q     <= dt_d;
      dt_eff_q <= dt_eff_d;
      temp_q   <= temp_d;
      k_q      <= k_d;
    end
  end

  assign now_o = now_q;

endmodule
